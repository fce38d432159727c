// "Your providers": the user's own servers the runner keeps (several, each with its own key), with Add,
// Edit and Remove (a second, explicit step: the key goes with it).
import type { ProviderStatus } from '@boocode/shared/runner/provider-config';
import { useState } from 'react';
import { runnerSettingsErrorText } from '../runner/runner-settings-client.ts';
import { useRunnerSettingsClient } from '../runner/use-runner-settings.ts';
import { CustomProviderForm } from './CustomProviderForm.tsx';

export function CustomProviders(props: {
  list: ProviderStatus[];
  onChanged(): Promise<void>;
  /** A provider was added or edited: the section may choose it for the next turn. */
  onSaved(entry: ProviderStatus, model: string): void;
  /** A provider was removed. */
  onRemoved(id: string): void;
}) {
  const client = useRunnerSettingsClient();
  const [editing, setEditing] = useState<ProviderStatus | 'new'>();
  const [removing, setRemoving] = useState<string>();
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const custom = props.list.filter((p) => p.origin === 'custom');

  const remove = async (p: ProviderStatus) => {
    if (!client) return;
    setError('');
    try {
      await client.deleteProvider(p.id);
      setNote(`Removed ${p.label} and its key from the runner.`);
      props.onRemoved(p.id);
      await props.onChanged();
    } catch (e) {
      setError(`Not removed: ${runnerSettingsErrorText(e)}`);
    } finally {
      setRemoving(undefined);
    }
  };

  return (
    <div className="custom-providers" data-testid="custom-providers">
      <h3>Your providers</h3>
      {custom.length === 0 && !editing && (
        <p className="muted">
          Any OpenAI-compatible server: a company gateway, a hosted model, a server on your network.
        </p>
      )}
      <ul>
        {custom.map((p) => (
          <li key={p.id} data-testid="custom-provider" data-provider-id={p.id}>
            <strong>{p.label}</strong> <code>{p.baseUrl}</code>{' '}
            <span className="muted">{p.needsKey ? (p.hasKey ? 'key set' : 'no key yet') : 'no key needed'}</span>{' '}
            {removing === p.id ? (
              <>
                <span>Remove {p.label} and its key?</span>{' '}
                <button
                  type="button"
                  className="danger-button"
                  onClick={() => void remove(p)}
                  data-testid="custom-remove-confirm"
                >
                  Remove
                </button>{' '}
                <button type="button" onClick={() => setRemoving(undefined)}>
                  Cancel
                </button>
              </>
            ) : (
              <>
                <button type="button" onClick={() => setEditing(p)}>
                  Edit
                </button>{' '}
                <button type="button" onClick={() => setRemoving(p.id)} data-testid="custom-remove">
                  Remove
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {editing ? (
        <CustomProviderForm
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing === 'new' ? undefined : editing}
          takenIds={props.list.map((p) => p.id)}
          onCancel={() => setEditing(undefined)}
          onSaved={(entry, model, words) => {
            setEditing(undefined);
            setNote(words);
            props.onSaved(entry, model);
            void props.onChanged();
          }}
        />
      ) : (
        <div className="form-actions">
          <button type="button" onClick={() => setEditing('new')} disabled={!client} data-testid="custom-add">
            Add a provider
          </button>
          {!client && <span className="muted">Pair the runner first: it keeps your providers and their keys.</span>}
        </div>
      )}
      {note && (
        <p className="muted" role="status" data-testid="custom-note">
          {note}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
