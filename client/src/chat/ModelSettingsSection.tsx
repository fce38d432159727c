// Settings → Model: which provider and model the next turn uses, and how this device reaches it. A cloud API
// goes through the local runner, which holds its key (the key form sends it there, nowhere else). A server on
// this machine (Ollama, LM Studio, vLLM / llama.cpp) may be called directly from the page at its loopback URL
// or through the runner; its URL may be edited, and is checked in words before it is saved. Below: Test
// connection for the chosen provider, and the user's own providers.
import { checkBaseUrl } from '@boocode/shared/model/provider-url';
import { PROVIDER_PRESETS, type ProviderAccess } from '@boocode/shared/model/providers';
import type { ProviderStatus } from '@boocode/shared/runner/provider-config';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { ProviderKeyForm } from '../runner/ProviderKeyForm.tsx';
import { runnerSettingsErrorText } from '../runner/runner-settings-client.ts';
import { useRunnerSettingsClient } from '../runner/use-runner-settings.ts';
import { SaveRow } from '../settings/form-parts.tsx';
import { ConnectionTest } from './ConnectionTest.tsx';
import { CustomProviders } from './CustomProviders.tsx';
import { useModelSettings } from './chat-hooks.ts';
import { modelLabel } from './ModelPicker.tsx';
import { entryOf, routeOf } from './model-access.ts';
import { DEFAULT_PROVIDER_ID, type ModelSettings, writeModelSettings } from './model-settings.ts';
import { useRunnerProviders } from './use-runner-providers.ts';
import './model-settings.css';

export function ModelSettingsSection() {
  const { db } = useServices();
  const saved = useModelSettings();
  const runner = useRunnerProviders();
  const client = useRunnerSettingsClient();
  const [provider, setProvider] = useState<string>(DEFAULT_PROVIDER_ID);
  const [access, setAccess] = useState<ProviderAccess>('runner');
  const [baseUrl, setBaseUrl] = useState('');
  const [model, setModel] = useState('');
  const [note, setNote] = useState('');
  const [urlError, setUrlError] = useState('');
  const [seeded, setSeeded] = useState(false);
  const runnerList = runner.list ?? saved?.runnerProviders ?? [];
  const entry = useMemo(() => entryOf(provider, runnerList), [provider, runnerList]);

  const fill = (id: string, s: ModelSettings, list: ProviderStatus[], keepModel?: string) => {
    const e = entryOf(id, list);
    if (!e) return;
    const route = routeOf(e, s);
    setProvider(id);
    setAccess(route.access);
    setBaseUrl(route.access === 'direct' ? route.baseUrl : e.baseUrl);
    setModel(keepModel ?? e.defaultModel ?? '');
    setUrlError('');
  };

  // Fill the form once from storage, unless the user already started editing (storage answers async).
  const touched = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: fill only calls state setters; this runs once per load.
  useEffect(() => {
    if (!saved || seeded) return;
    setSeeded(true);
    if (!touched.current) fill(saved.provider, saved, saved.runnerProviders, saved.model);
  }, [saved, seeded]);

  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      touched.current = true;
      setNote('');
      set(v);
    };

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setUrlError('');
    setNote('');
    if (!entry || !saved) return;
    if (entry.editableBaseUrl && entry.origin === 'preset') {
      const url = checkBaseUrl(baseUrl, { access, needsKey: false });
      if (!url.ok) return setUrlError(url.message);
      if (access === 'runner' && url.url !== entry.baseUrl) {
        if (!client) return setUrlError('Pair the runner first (Settings → Runner): it calls this server for you.');
        try {
          await client.putProvider(entry.id, { baseUrl: url.url });
          await runner.reload();
        } catch (e) {
          return setUrlError(`The runner did not take the address: ${runnerSettingsErrorText(e)}`);
        }
      }
      await writeModelSettings(db, { route: { provider: entry.id, access, baseUrl: url.url } });
      setBaseUrl(url.url);
    }
    await writeModelSettings(db, { provider: entry.id, model });
    setNote('Saved. The next turn uses it.');
  };

  const options = [
    ...PROVIDER_PRESETS.map((p) => ({ id: p.id, label: p.label })),
    ...runnerList.filter((p) => p.origin === 'custom').map((p) => ({ id: p.id, label: `${p.label} (yours)` })),
  ];
  const local = entry?.origin === 'preset' && entry.editableBaseUrl;
  const status = runnerList.find((p) => p.id === provider);

  return (
    <section className="card model-settings" aria-labelledby="model-h">
      <div className="card-head">
        <h2 id="model-h">Model</h2>
      </div>
      <p className="muted" data-testid="model-route-note">
        {access === 'direct'
          ? 'Called directly from this page at the URL below (a server on this computer, no key).'
          : 'Called through the local runner’s model proxy: the runner holds the API key, so it never enters this page or a synced document.'}
        {entry?.scripted &&
          ' The scripted model is for tests and the offline demo: its answers come from scenario files.'}
      </p>
      <form onSubmit={save} className="form">
        <label>
          <span>Provider</span>
          <select
            value={provider}
            // Until storage answers there is nothing to fill the form from: a choice made then would be lost.
            disabled={!saved}
            onChange={(e) => {
              touched.current = true;
              setNote('');
              if (saved) fill(e.target.value, saved, runnerList);
            }}
            data-testid="model-provider"
          >
            {options.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        {local && (
          <fieldset className="form-row access-choice" data-testid="model-access">
            <legend>Reached</legend>
            {(['direct', 'runner'] as const).map((a) => (
              <label key={a} className="check-row">
                <input
                  type="radio"
                  name="model-access"
                  value={a}
                  checked={access === a}
                  onChange={() => {
                    edit(setAccess)(a);
                    if (a === 'runner' && entry) setBaseUrl(status?.baseUrl ?? entry.baseUrl);
                  }}
                />
                <span>{a === 'direct' ? 'directly from this page' : 'through the runner'}</span>
              </label>
            ))}
          </fieldset>
        )}
        <label>
          <span>Base URL</span>
          <input
            value={baseUrl}
            onChange={(e) => edit(setBaseUrl)(e.target.value)}
            disabled={!local}
            spellCheck={false}
            aria-invalid={urlError ? true : undefined}
            data-testid="model-base-url"
            title={
              local
                ? undefined
                : entry?.origin === 'custom'
                  ? 'Edit it under Your providers'
                  : 'This provider’s address is fixed'
            }
          />
        </label>
        {urlError && (
          <p className="error-text" role="alert" data-testid="model-url-error">
            {urlError}
          </p>
        )}
        <label>
          <span>Model</span>
          <input
            value={model}
            onChange={(e) => edit(setModel)(e.target.value)}
            list="model-suggestions"
            spellCheck={false}
            data-testid="model-name"
          />
          <datalist id="model-suggestions">
            {Object.keys(entry?.models ?? {}).map((m) => (
              <option key={m} value={m} label={modelLabel(m)} />
            ))}
          </datalist>
        </label>
        <SaveRow note={note} testId="model-save" />
      </form>
      {entry && access === 'runner' && (
        <ProviderKeyForm key={provider} provider={provider} label={entry.label} needsKey={entry.needsKey} />
      )}
      {entry && (
        <ConnectionTest
          key={`${provider}:${access}`}
          entry={entry}
          access={access}
          baseUrl={baseUrl}
          model={model}
          onUseMode={
            entry.origin === 'custom' && client
              ? async (mode) => {
                  await client.putProvider(entry.id, { baseUrl: entry.baseUrl, structuredOutput: mode });
                  await runner.reload();
                }
              : undefined
          }
        />
      )}
      {runner.problem && (
        <p className="error-text" role="alert">
          Could not ask the runner for its providers: {runner.problem}
        </p>
      )}
      <CustomProviders
        list={runnerList}
        onChanged={runner.reload}
        onSaved={(p, m) => {
          void writeModelSettings(db, { provider: p.id, model: m || model });
          if (saved) fill(p.id, saved, [...runnerList.filter((x) => x.id !== p.id), p], m || model);
          setNote(`${p.label} is chosen for the next turn.`);
        }}
        onRemoved={(id) => {
          if (provider !== id || !saved) return;
          void writeModelSettings(db, { provider: DEFAULT_PROVIDER_ID, model: '' });
          fill(DEFAULT_PROVIDER_ID, saved, runnerList);
        }}
      />
    </section>
  );
}
