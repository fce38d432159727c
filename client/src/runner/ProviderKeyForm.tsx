// Settings → Model: the API key of a provider the runner proxies, sent to the runner (PUT /providers/:id/key)
// and nowhere else. Write-only: the page learns whether a key is set, never the key, and forgets what was typed.
// Mount it keyed by provider, so a key typed for one provider is never sent to another.
import { type ProviderId, providerPreset } from '@boocode/shared/model/providers';
import { type FormEvent, useEffect, useState } from 'react';
import { SaveRow, SecretField } from '../settings/form-parts.tsx';
import { type ProviderStatus, runnerSettingsErrorText } from './runner-settings-client.ts';
import { useRunnerSettingsClient } from './use-runner-settings.ts';

type Status =
  | { kind: 'loading' }
  | { kind: 'unpaired' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; provider: ProviderStatus | undefined };

export function ProviderKeyForm({ provider }: { provider: ProviderId }) {
  const client = useRunnerSettingsClient();
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [key, setKey] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const label = providerPreset(provider).label;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a save.
  useEffect(() => {
    if (client === undefined) return;
    if (client === null) {
      setStatus({ kind: 'unpaired' });
      return;
    }
    const abort = new AbortController();
    client.listProviders(abort.signal).then(
      (list) => setStatus({ kind: 'ready', provider: list.find((p) => p.id === provider) }),
      (e: unknown) => {
        if (!abort.signal.aborted) setStatus({ kind: 'error', message: runnerSettingsErrorText(e) });
      },
    );
    return () => abort.abort();
  }, [client, provider, version]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!client || !key.trim()) return;
    setBusy(true);
    setError('');
    try {
      await client.putProviderKey(provider, key.trim());
      setKey('');
      setNote(`Sent to the runner, which keeps it for ${label}. This page does not.`);
      setVersion((v) => v + 1);
    } catch (err) {
      setNote('');
      setError(`The key was not saved: ${runnerSettingsErrorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const known = status.kind === 'ready' && status.provider !== undefined;
  return (
    <form onSubmit={save} className="form provider-key" data-testid="provider-key-form">
      <div className="form-row">
        <span>API key</span>
        <span className={`provider-key-status${known && status.provider?.hasKey ? ' has-key' : ''}`}>
          <span data-testid="provider-key-status">{statusText(status, label, provider)}</span>
        </span>
      </div>
      {known && (
        <>
          <SecretField label="New key" value={key} onChange={setKey} testId="provider-key" />
          <SaveRow note={note} disabled={busy || !key.trim()} testId="provider-key-save" />
        </>
      )}
      {!known && note && (
        <p className="muted" role="status">
          {note}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert" data-testid="provider-key-error">
          {error}
        </p>
      )}
    </form>
  );
}

function statusText(status: Status, label: string, id: string): string {
  switch (status.kind) {
    case 'loading':
      return 'Asking the runner…';
    case 'unpaired':
      return 'Pair the runner first (Settings → Runner): the runner keeps the API key, this page never does.';
    case 'error':
      return `Could not ask the runner: ${status.message}`;
    case 'ready':
      if (!status.provider) return `The runner has no provider “${id}” set up, so it cannot hold its key.`;
      return status.provider.hasKey
        ? `The runner has a key for ${label} (never shown here). A new one replaces it.`
        : `No key for ${label} on the runner yet.`;
  }
}
