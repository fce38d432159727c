// Review of a coder subagent's git worktree: while it runs, where it works; once it has finished, the files it
// changed with +/- counts and the unified diff, with Merge and Discard; afterwards, what happened, in words.
// Reads the record from the parent doc and the live diff from the runner (through the manager); merging and
// discarding go through the manager, which records the outcome in the parent doc for every tab.
import type { SubagentManager } from '@boocode/shared/agent/subagents/subagent-manager';
import {
  FINISHED,
  getSubagentRecord,
  observeSubagentRecords,
  type SubagentRecord,
} from '@boocode/shared/agent/subagents/subagent-records';
import type { WorktreeDiff } from '@boocode/shared/runner/worktree';
import { type CSSProperties, useEffect, useState } from 'react';
import type * as Y from 'yjs';

/** Lines of the unified diff rendered at most; the rest is counted (a huge diff must not freeze the tab). */
const MAX_DIFF_LINES = 3000;

export interface WorktreeReviewProps {
  parentDoc: Y.Doc;
  childId: string;
  manager: Pick<SubagentManager, 'worktreeDiff' | 'resolveWorktree'>;
}

type DiffState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; diff: WorktreeDiff };
type Outcome = { ok: boolean; text: string } | undefined;

function useSubagentRecord(doc: Y.Doc, id: string): SubagentRecord | undefined {
  const [record, setRecord] = useState(() => getSubagentRecord(doc, id));
  useEffect(() => {
    setRecord(getSubagentRecord(doc, id));
    return observeSubagentRecords(doc, (changed) => {
      if (changed.some((r) => r.id === id)) setRecord(getSubagentRecord(doc, id));
    });
  }, [doc, id]);
  return record;
}

export function WorktreeReview({ parentDoc, childId, manager }: WorktreeReviewProps) {
  const record = useSubagentRecord(parentDoc, childId);
  const worktree = record?.worktree;
  const reviewable = !!record && FINISHED.has(record.status) && worktree?.state === 'active';
  const [diff, setDiff] = useState<DiffState>({ kind: 'loading' });
  const [busy, setBusy] = useState<'merge' | 'discard' | undefined>();
  const [outcome, setOutcome] = useState<Outcome>();

  useEffect(() => {
    if (!reviewable) return;
    let live = true;
    setDiff({ kind: 'loading' });
    manager.worktreeDiff(childId).then(
      (d) => live && setDiff({ kind: 'ready', diff: d }),
      (e: unknown) => live && setDiff({ kind: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [reviewable, childId, manager]);

  if (!record || !worktree) return null;
  const act = async (action: 'merge' | 'discard') => {
    setBusy(action);
    setOutcome(undefined);
    const result = await manager.resolveWorktree(parentDoc, childId, action);
    setBusy(undefined);
    setOutcome(result.ok ? { ok: true, text: result.output } : { ok: false, text: result.error.message });
  };

  return (
    <section style={styles.box} data-testid="worktree-review" data-state={worktree.state}>
      <Summary record={record} />
      {reviewable && diff.kind === 'loading' && <p style={styles.muted}>Loading the diff…</p>}
      {reviewable && diff.kind === 'error' && (
        <p role="alert" data-testid="worktree-diff-error">
          Could not load the diff: {diff.message}
        </p>
      )}
      {reviewable && diff.kind === 'ready' && <DiffView diff={diff.diff} />}
      {reviewable && (
        <div style={styles.actions}>
          <button type="button" disabled={!!busy} onClick={() => act('merge')} data-testid="worktree-merge">
            {busy === 'merge' ? 'Merging…' : 'Merge into workspace'}
          </button>
          <button type="button" disabled={!!busy} onClick={() => act('discard')} data-testid="worktree-discard">
            {busy === 'discard' ? 'Discarding…' : 'Discard'}
          </button>
        </div>
      )}
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} data-testid="worktree-outcome" data-ok={outcome.ok}>
          {outcome.text}
        </p>
      )}
    </section>
  );
}

function Summary({ record }: { record: SubagentRecord }) {
  const w = record.worktree!;
  const stat = w.diffStat ? ` (${w.diffStat.files} files, +${w.diffStat.added} −${w.diffStat.removed})` : '';
  if (w.state === 'unavailable')
    return (
      <p data-testid="worktree-summary">No worktree of its own: {w.notice ?? 'it worked in the shared workspace.'}</p>
    );
  if (w.state === 'merged')
    return (
      <p data-testid="worktree-summary">
        Merged into the workspace as uncommitted changes{stat}; its branch {w.branch} is gone.
      </p>
    );
  if (w.state === 'discarded')
    return (
      <p data-testid="worktree-summary">
        Discarded: its branch {w.branch} and worktree were removed; the workspace is unchanged.
      </p>
    );
  if (!FINISHED.has(record.status))
    return (
      <p data-testid="worktree-summary">
        Works in its own git worktree on branch {w.branch}; review its changes when it finishes.
      </p>
    );
  return (
    <>
      <p data-testid="worktree-summary">
        Changes on branch <code>{w.branch}</code>
        {stat}. Merge brings them into the workspace as uncommitted changes; your own edits are kept, and a conflict
        changes nothing.
      </p>
      {w.notice && (
        <p role="alert" data-testid="worktree-notice">
          {w.notice}
        </p>
      )}
    </>
  );
}

function DiffView({ diff }: { diff: WorktreeDiff }) {
  if (!diff.files.length) return <p style={styles.muted}>It changed no files.</p>;
  const lines = diff.diff.split('\n');
  const shown = lines.slice(0, MAX_DIFF_LINES);
  return (
    <>
      <table style={styles.files} data-testid="worktree-files">
        <tbody>
          {diff.files.map((f) => (
            <tr key={f.path}>
              <td style={styles.mono}>{f.path}</td>
              <td style={styles.muted}>{f.status}</td>
              <td style={{ ...styles.mono, color: 'var(--ok, #2a7a2a)' }}>{f.binary ? 'binary' : `+${f.added}`}</td>
              <td style={{ ...styles.mono, color: 'var(--danger, #b02a2a)' }}>{f.binary ? '' : `−${f.removed}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <pre style={styles.diff} data-testid="worktree-diff">
        {shown.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: diff lines are static text; the index is their identity.
          <span key={i} style={lineStyle(line)}>
            {line}
            {'\n'}
          </span>
        ))}
      </pre>
      {(lines.length > MAX_DIFF_LINES || diff.truncated) && (
        <p style={styles.muted}>The diff is longer than shown; merge applies all of it.</p>
      )}
    </>
  );
}

function lineStyle(line: string): CSSProperties | undefined {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff --git')) return { fontWeight: 600 };
  if (line.startsWith('+')) return { background: 'rgba(46, 160, 67, 0.15)' };
  if (line.startsWith('-')) return { background: 'rgba(248, 81, 73, 0.15)' };
  if (line.startsWith('@@')) return { color: 'var(--muted)' };
  return undefined;
}

// Inline on purpose: this component ships as one file for the Agents pane to mount.
const styles = {
  box: {
    border: '1px solid var(--border)',
    borderRadius: 6,
    padding: '6px 8px',
    display: 'flex',
    flexDirection: 'column',
    gap: 6,
  },
  muted: { color: 'var(--muted)', margin: 0 },
  mono: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12, paddingRight: 8 },
  files: { borderCollapse: 'collapse', fontSize: 12 },
  diff: {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: 12,
    lineHeight: 1.4,
    maxHeight: 420,
    overflow: 'auto',
    margin: 0,
    padding: 6,
    border: '1px solid var(--border)',
    borderRadius: 4,
    whiteSpace: 'pre',
  },
  actions: { display: 'flex', gap: 8 },
} satisfies Record<string, CSSProperties>;
