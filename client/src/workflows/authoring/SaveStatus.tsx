// Where a save stands: asking (the write, its path and why it asks, with Approve and Deny), writing,
// saved, or refused in words.
export type SaveState =
  | { kind: 'idle' }
  | { kind: 'planning' }
  | { kind: 'asking'; path: string; reason: string }
  | { kind: 'writing'; path: string }
  | { kind: 'saved'; path: string }
  | { kind: 'error'; message: string };

export function SaveStatus({
  state,
  onApprove,
  onDeny,
}: {
  state: SaveState;
  onApprove(path: string): void;
  onDeny(): void;
}) {
  switch (state.kind) {
    case 'idle':
      return null;
    case 'planning':
      return <p className="muted small">Asking the runner's rules…</p>;
    case 'writing':
      return <p className="muted small">Writing {state.path}…</p>;
    case 'saved':
      return (
        <p className="small" role="status" data-testid="workflow-saved">
          Saved to <code>{state.path}</code>.
        </p>
      );
    case 'error':
      return (
        <p className="error-text" role="alert" data-testid="workflow-save-error">
          {state.message}
        </p>
      );
    case 'asking':
      return (
        <fieldset className="wf-approval" data-testid="workflow-save-approval">
          <legend className="small">Approve the write</legend>
          <p className="small">
            <strong>write_file</strong> <code>{state.path}</code>: asks because {state.reason}.
          </p>
          <div className="wf-form-actions">
            <button type="button" className="primary" onClick={() => onApprove(state.path)}>
              Approve
            </button>
            <button type="button" onClick={onDeny}>
              Deny
            </button>
          </div>
        </fieldset>
      );
  }
}
