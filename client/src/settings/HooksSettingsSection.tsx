// Settings: the hooks each agent host loaded (its workspace's `.boocode/hooks.json` and the personal file in
// its runner's data folder), each hook's last result, and a file that did not parse with its line. Read from
// the space doc, where the host writes them (shared/doc/hook-log.ts).
import {
  type HookFileStatus,
  type HooksStatus,
  hookKey,
  listHooksStatus,
  observeHooksStatus,
} from '@boocode/shared/doc/hook-log';
import { hookEvents, hookLabel } from '@boocode/shared/hooks/hook-config';
import { useServices } from '../docs/doc-context.tsx';
import { useDocVersion } from '../docs/doc-hooks.ts';

export function HooksSettingsSection() {
  const { space } = useServices();
  useDocVersion(space, observeHooksStatus);
  const statuses = listHooksStatus(space);
  return (
    <section className="card" aria-labelledby="hooks-h" data-testid="hooks-settings">
      <h2 id="hooks-h">Hooks</h2>
      <p className="muted">
        The agent host runs a command (under the runner's approval rules) or POSTs JSON when a turn ends, an approval
        waits, or a subagent or workflow run finishes or fails. Hooks live in <code>.boocode/hooks.json</code> in the
        workspace and in <code>hooks.json</code> in the runner's data folder; the host reads them when it starts.
      </p>
      {statuses.length === 0 ? (
        <p className="muted">No agent host has reported its hooks yet.</p>
      ) : (
        statuses.map((s) => <WorkspaceHooks key={s.workspaceId} status={s} />)
      )}
    </section>
  );
}

function WorkspaceHooks({ status }: { status: HooksStatus }) {
  return (
    <div className="hooks-workspace">
      <h3>
        Workspace {status.workspaceName}{' '}
        <span className="muted">(loaded {new Date(status.loadedAt).toLocaleString()})</span>
      </h3>
      {status.files.length === 0 && <p className="muted">No hooks files.</p>}
      {status.files.map((f) => (
        <HookFile key={f.file} file={f} last={status.last} />
      ))}
    </div>
  );
}

function HookFile({ file, last }: { file: HookFileStatus; last: HooksStatus['last'] }) {
  const where = file.error?.line
    ? ` line ${file.error.line}${file.error.column ? `, column ${file.error.column}` : ''}`
    : '';
  return (
    <div className="hooks-file">
      <p>
        <code>{file.file}</code> <span className="muted">({file.scope})</span>
      </p>
      {file.error && (
        <p role="alert" className="error-text">
          Not loaded: {where ? `${where.trim()}: ` : ''}
          {file.error.message}
        </p>
      )}
      <ul>
        {file.hooks.map((hook, i) => {
          const result = last[hookKey(file.file, i)];
          return (
            <li key={hookKey(file.file, i)}>
              <span>
                On {hookEvents(hook).join(', ')}: <code>{hookLabel(hook)}</code>
              </span>{' '}
              <span className="muted">
                {result
                  ? `last: ${result.ok ? 'ok' : 'failed'}, ${result.detail} (${new Date(result.at).toLocaleString()})`
                  : 'not fired yet'}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
