// Settings → Model: the API key of a provider the runner proxies, sent to the runner (PUT /providers/:id/key)
// and nowhere else, and removed from it (DELETE, after a confirm step). Write-only: the page learns whether a
// key is set, never the key, and forgets what was typed. Mount it keyed by provider, so a key typed for one
// provider is never sent to another. A server that needs no key may still take one (LM Studio, vLLM --api-key).
import { type FormEvent, useEffect, useState } from 'react';
import { SaveRow, SecretField } from '../settings/form-parts.tsx';
import { type ProviderStatus, runnerSettingsErrorText } from './runner-settings-client.ts';
import { useRunnerSettingsClient } from './use-runner-settings.ts';

type Status =
  | { kind: 'loading' }
  | { kind: 'unpaired' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; provider: ProviderStatus | undefined };

export function ProviderKeyForm({ provider, label, needsKey }: { provider: string; label: string; needsKey: boolean }) {
  const client = useRunnerSettingsClient();
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [key, setKey] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const [confirmingRemove, setConfirmingRemove] = useState(false);

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

  const remove = async () => {
    if (!client) return;
    setBusy(true);
    setError('');
    try {
      const res = await client.deleteProviderKey(provider);
      setNote(
        res.hasKey
          ? `The key this page sent is removed, but the runner still takes one for ${label} from its environment; unset it there.`
          : `Removed: the runner no longer holds a key for ${label}.`,
      );
      setVersion((v) => v + 1);
    } catch (err) {
      setNote('');
      setError(`The key was not removed: ${runnerSettingsErrorText(err)}`);
    } finally {
      setBusy(false);
      setConfirmingRemove(false);
    }
  };

  const known = status.kind === 'ready' && status.provider !== undefined;
  const hasKey = known && status.provider?.hasKey === true;
  return (
    <form onSubmit={save} className="form provider-key" data-testid="provider-key-form">
      <div className="form-row">
        <span>API key</span>
        <span className={`provider-key-status${known && status.provider?.hasKey ? ' has-key' : ''}`}>
          <span data-testid="provider-key-status">{statusText(status, label, provider, needsKey)}</span>
        </span>
      </div>
      {known && (
        <>
          <SecretField label="New key" value={key} onChange={setKey} testId="provider-key" />
          <SaveRow note={note} disabled={busy || !key.trim()} testId="provider-key-save" />
          {hasKey && (
            <RemoveKeyRow
              label={label}
              busy={busy}
              confirming={confirmingRemove}
              onAsk={() => setConfirmingRemove(true)}
              onCancel={() => setConfirmingRemove(false)}
              onConfirm={remove}
            />
          )}
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

/** "Remove key", then a second, explicit "Remove" (or Cancel): a removed key cannot be shown or restored. */
function RemoveKeyRow(props: {
  label: string;
  busy: boolean;
  confirming: boolean;
  onAsk: () => void;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  if (!props.confirming) {
    return (
      <div className="form-actions">
        <button type="button" disabled={props.busy} onClick={props.onAsk} data-testid="provider-key-remove">
          Remove key
        </button>
      </div>
    );
  }
  return (
    <div className="form-actions">
      <span>Remove the {props.label} key from the runner? You would have to paste it again.</span>
      <button
        type="button"
        className="danger-button"
        disabled={props.busy}
        onClick={props.onConfirm}
        data-testid="provider-key-remove-confirm"
      >
        Remove
      </button>
      <button type="button" disabled={props.busy} onClick={props.onCancel} data-testid="provider-key-remove-cancel">
        Cancel
      </button>
    </div>
  );
}

function statusText(status: Status, label: string, id: string, needsKey: boolean): string {
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
        : needsKey
          ? `No key for ${label} on the runner yet.`
          : `No key set: ${label} does not need one unless the server asks for it.`;
  }
}
