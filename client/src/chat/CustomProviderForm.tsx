// Adds or edits one of the user's own providers on the runner: a name, the base URL (checked here and again
// by the runner, refused in words), whether it needs a key, the key itself (sent to the runner only, never
// kept by the page), how agents ask it for JSON, and whether it takes images.
import { checkBaseUrl } from '@boocode/shared/model/provider-url';
import type { StructuredOutputMode } from '@boocode/shared/model/providers';
import { customProviderIdOf, type ProviderStatus } from '@boocode/shared/runner/provider-config';
import { type FormEvent, useState } from 'react';
import { runnerSettingsErrorText } from '../runner/runner-settings-client.ts';
import { useRunnerSettingsClient } from '../runner/use-runner-settings.ts';
import { SecretField } from '../settings/form-parts.tsx';

export function CustomProviderForm(props: {
  /** The entry being edited; absent when adding one. */
  editing?: ProviderStatus;
  /** Every id on the runner, so a new entry gets one of its own. */
  takenIds: string[];
  onSaved(entry: ProviderStatus, model: string, note: string): void;
  onCancel(): void;
}) {
  const client = useRunnerSettingsClient();
  const e = props.editing;
  const [label, setLabel] = useState(e?.label ?? '');
  const [baseUrl, setBaseUrl] = useState(e?.baseUrl ?? '');
  const [needsKey, setNeedsKey] = useState(e?.needsKey ?? true);
  const [key, setKey] = useState('');
  const [model, setModel] = useState(e?.defaultModel ?? '');
  const [mode, setMode] = useState<StructuredOutputMode>(e?.structuredOutput ?? 'words');
  const [vision, setVision] = useState(e?.vision ?? false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setError('');
    if (!label.trim()) return setError('Give the server a name, so you can tell it apart in the picker.');
    const url = checkBaseUrl(baseUrl, { access: 'runner', needsKey });
    if (!url.ok) return setError(url.message);
    if (!client) return setError('Pair the runner first (Settings → Runner): it keeps your providers and their keys.');
    setBusy(true);
    try {
      const id = e?.id ?? customProviderIdOf(label, props.takenIds);
      const saved = await client.putProvider(id, {
        label: label.trim(),
        baseUrl: url.url,
        needsKey,
        structuredOutput: mode,
        vision,
        ...(model.trim() ? { defaultModel: model.trim() } : {}),
      });
      if (key.trim()) await client.putProviderKey(id, key.trim());
      setKey('');
      const keyNote =
        saved.keyDropped && !key.trim()
          ? ' Its key was removed because the address moved to another server: paste it again.'
          : '';
      props.onSaved(
        { ...saved.provider, hasKey: saved.provider.hasKey || Boolean(key.trim()) },
        model.trim(),
        `${e ? 'Saved' : 'Added'} ${label.trim()}${key.trim() ? ', with its key on the runner' : ''}.${keyNote}`,
      );
    } catch (err) {
      setError(`Not saved: ${runnerSettingsErrorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} className="form custom-provider-form" data-testid="custom-provider-form">
      <label>
        <span>Name</span>
        <input value={label} onChange={(v) => setLabel(v.target.value)} maxLength={60} data-testid="custom-name" />
      </label>
      <label>
        <span>Base URL</span>
        <input
          value={baseUrl}
          onChange={(v) => setBaseUrl(v.target.value)}
          placeholder="https://api.example.com/v1"
          spellCheck={false}
          data-testid="custom-base-url"
        />
      </label>
      <label className="check-row">
        <input
          type="checkbox"
          checked={needsKey}
          onChange={(v) => setNeedsKey(v.target.checked)}
          data-testid="custom-needs-key"
        />
        <span>Needs an API key</span>
      </label>
      <SecretField
        label={e?.hasKey ? 'New API key (empty: keep the one the runner has)' : 'API key'}
        value={key}
        onChange={setKey}
        testId="custom-key"
      />
      <label>
        <span>Model</span>
        <input value={model} onChange={(v) => setModel(v.target.value)} spellCheck={false} data-testid="custom-model" />
      </label>
      <label>
        <span>Agents ask for JSON with</span>
        <select
          value={mode}
          onChange={(v) => setMode(v.target.value as StructuredOutputMode)}
          data-testid="custom-structured"
        >
          <option value="words">words in the prompt (works everywhere)</option>
          <option value="tool">a forced tool call</option>
          <option value="json_schema">a JSON Schema (response_format)</option>
        </select>
      </label>
      <label className="check-row">
        <input type="checkbox" checked={vision} onChange={(v) => setVision(v.target.checked)} />
        <span>Takes images</span>
      </label>
      {error && (
        <p className="error-text" role="alert" data-testid="custom-error">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="custom-save">
          {e ? 'Save' : 'Add provider'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
