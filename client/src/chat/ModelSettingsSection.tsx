// Settings → Model: the provider preset, its base URL (used directly only for the scripted model and a
// custom URL; real providers go through the runner, which holds the keys), the default model, and for a
// provider the runner proxies, its API key (sent to the runner only).
import { PROVIDER_PRESETS, type ProviderId, providerPreset } from '@boocode/shared/model/providers';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { ProviderKeyForm } from '../runner/ProviderKeyForm.tsx';
import { SaveRow } from '../settings/form-parts.tsx';
import { useModelSettings } from './chat-hooks.ts';
import { modelLabel } from './ModelPicker.tsx';
import { isDirectProvider, writeModelSettings } from './model-settings.ts';

export function ModelSettingsSection() {
  const { db } = useServices();
  const saved = useModelSettings();
  const [provider, setProvider] = useState<ProviderId>('deepseek');
  const [baseUrl, setBaseUrl] = useState('');
  const [model, setModel] = useState('');
  const [note, setNote] = useState('');
  const [seeded, setSeeded] = useState(false);

  // Fill the form once from storage, unless the user already started editing (storage answers async).
  const touched = useRef(false);
  useEffect(() => {
    if (!saved || seeded) return;
    setSeeded(true);
    if (touched.current) return;
    setProvider(saved.provider);
    setBaseUrl(saved.baseUrl);
    setModel(saved.model);
  }, [saved, seeded]);

  const choose = (id: ProviderId) => {
    touched.current = true;
    const preset = providerPreset(id);
    setProvider(id);
    setBaseUrl(preset.baseUrl);
    setModel(preset.defaultModel ?? '');
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    await writeModelSettings(db, { provider, baseUrl, model });
    setNote('Saved. The next turn uses it.');
  };
  const direct = isDirectProvider(provider);
  const preset = providerPreset(provider);

  return (
    <section className="card" aria-labelledby="model-h">
      <div className="card-head">
        <h2 id="model-h">Model</h2>
      </div>
      <p className="muted">
        {direct
          ? 'Called directly from this page at the URL below.'
          : 'Called through the local runner’s model proxy: the runner holds the API key, so it never enters this page or a synced document.'}
        {preset.scripted &&
          ' The scripted model is for tests and the offline demo: its answers come from scenario files.'}
      </p>
      <form onSubmit={save} className="form">
        <label>
          <span>Provider</span>
          <select value={provider} onChange={(e) => choose(e.target.value as ProviderId)} data-testid="model-provider">
            {PROVIDER_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Base URL</span>
          <input
            value={baseUrl}
            onChange={(e) => {
              touched.current = true;
              setBaseUrl(e.target.value);
            }}
            disabled={!direct}
            spellCheck={false}
            data-testid="model-base-url"
            title={direct ? undefined : 'Set on the runner (it proxies this provider)'}
          />
        </label>
        <label>
          <span>Model</span>
          <input
            value={model}
            onChange={(e) => {
              touched.current = true;
              setModel(e.target.value);
            }}
            list="model-suggestions"
            spellCheck={false}
            data-testid="model-name"
          />
          <datalist id="model-suggestions">
            {Object.keys(preset.models).map((m) => (
              <option key={m} value={m} label={modelLabel(m)} />
            ))}
          </datalist>
        </label>
        <SaveRow note={note} testId="model-save" />
      </form>
      {!direct && <ProviderKeyForm key={provider} provider={provider} />}
    </section>
  );
}
