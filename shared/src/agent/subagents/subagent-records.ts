// A session's subagents as recorded in its own (the parent's) doc: one record per child, keyed by the child's
// session id. The record is the truth another tab rebuilds from; delivering a finished child's result as a
// message and marking it delivered happen in one transaction of the parent doc, so it is delivered exactly once.
// Only this module knows the `subagents` key.
import type * as Y from 'yjs';
import { appendMessage, getRunState, getSessionMeta, setRunState } from '../../doc/session.ts';

const SUBAGENTS = 'subagents';

export type SubagentStatus = 'queued' | 'running' | 'waiting-approval' | 'done' | 'failed' | 'cancelled';

export const FINISHED: ReadonlySet<SubagentStatus> = new Set(['done', 'failed', 'cancelled']);

/**
 * A coder child's own git worktree (spawned with `worktree: true`): `active` while it exists (during the run,
 * then until merged or discarded); `unavailable` when the child had to use the shared workspace (`notice` says
 * why, e.g. not a git repository). Every field is JSON (no undefined: Yjs cannot encode it).
 */
export interface SubagentWorktree {
  state: 'active' | 'merged' | 'discarded' | 'unavailable';
  branch?: string;
  baseCommit?: string;
  /** Why there is no worktree, why a merge was refused, or why the diff could not be read. */
  notice?: string;
  /** Recorded when the child ends, and again at merge. */
  diffStat?: { files: number; added: number; removed: number };
  files?: Array<{
    path: string;
    status: 'added' | 'modified' | 'deleted';
    added: number;
    removed: number;
    binary: boolean;
  }>;
  resolvedAt?: number;
}

export interface SubagentRecord {
  /** The child's session id. */
  id: string;
  parentId: string;
  /** The parent's `spawn_subagent` tool span. */
  parentSpanId: string;
  label: string;
  prompt: string;
  model?: string;
  tools?: string[];
  /** 1 for a child of a top-level session. */
  depth: number;
  status: SubagentStatus;
  queuedAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The child's final answer (status done). */
  result?: string;
  error?: { code: string; message: string };
  /** Set when the result was appended to the parent as a message. */
  deliveredAt?: number;
  worktree?: SubagentWorktree;
}

function recordsMap(doc: Y.Doc): Y.Map<SubagentRecord> {
  return doc.getMap<SubagentRecord>(SUBAGENTS);
}

export function putSubagentRecord(doc: Y.Doc, record: SubagentRecord): void {
  recordsMap(doc).set(record.id, stripUndefined(record));
}

export function getSubagentRecord(doc: Y.Doc, id: string): SubagentRecord | undefined {
  return recordsMap(doc).get(id);
}

export function updateSubagentRecord(
  doc: Y.Doc,
  id: string,
  patch: Partial<Omit<SubagentRecord, 'id'>>,
): SubagentRecord | undefined {
  const cur = recordsMap(doc).get(id);
  if (!cur) return undefined;
  const next = stripUndefined({ ...cur, ...patch, id });
  recordsMap(doc).set(id, next);
  return next;
}

/** This session's subagents in spawn order. */
export function listSubagentRecords(doc: Y.Doc): SubagentRecord[] {
  return [...recordsMap(doc).values()].sort((a, b) => a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : 1));
}

export function observeSubagentRecords(doc: Y.Doc, onChange: (changed: SubagentRecord[]) => void): () => void {
  const map = recordsMap(doc);
  const handler = (ev: Y.YMapEvent<SubagentRecord>) =>
    onChange([...ev.keysChanged].flatMap((k) => (map.has(k) ? [map.get(k)!] : [])));
  map.observe(handler);
  return () => map.unobserve(handler);
}

/** One line for the spawn tool's output and the result message. */
export function worktreeSentence(w: SubagentWorktree | undefined): string {
  if (!w) return '';
  if (w.state === 'unavailable') return `No worktree of its own: ${w.notice ?? 'it works in the shared workspace.'}`;
  if (w.state === 'merged') return `Its changes on ${w.branch} were merged into the workspace.`;
  if (w.state === 'discarded') return `Its changes on ${w.branch} were discarded.`;
  if (!w.diffStat)
    return `It works in its own git worktree on branch ${w.branch}; when it finishes, merge or discard its changes with subagent_merge.`;
  const s = w.diffStat;
  if (s.files === 0) return `It changed no files in its worktree (branch ${w.branch}); discard it with subagent_merge.`;
  return `Its changes are in its own worktree on branch ${w.branch} (${s.files} file${s.files === 1 ? '' : 's'}, +${s.added} -${s.removed}: ${(w.files ?? []).map((f) => f.path).join(', ')}); merge them into the workspace or discard them with subagent_merge.`;
}

/** The message the parent model reads when a child has finished. */
export function resultMessageText(r: SubagentRecord): string {
  const head = `[subagent ${r.label} ${r.status}] (id ${r.id})`;
  // A child with a worktree: the parent reads where its changes are and how to merge or discard them.
  const tail = r.worktree ? `\n\n${worktreeSentence(r.worktree)}` : '';
  if (r.status === 'done') return `${head}\n${r.result ?? ''}${tail}`;
  if (r.status === 'failed') return `${head}\nError (${r.error?.code}): ${r.error?.message}${tail}`;
  return `${head}\nIt was cancelled before it finished; there is no result.${tail}`;
}

/**
 * Appends every finished, undelivered child result to the parent as a user message of `turn`, and marks it
 * delivered in the same transaction. Returns the ids delivered.
 */
export function deliverFinishedResults(doc: Y.Doc, turn: number, now: number, newMessageId: () => string): string[] {
  const due = listSubagentRecords(doc).filter((r) => FINISHED.has(r.status) && r.deliveredAt === undefined);
  if (!due.length) return [];
  doc.transact(() => {
    for (const r of due) {
      appendMessage(doc, { id: newMessageId(), role: 'user', turn, createdAt: now, text: resultMessageText(r) });
      updateSubagentRecord(doc, r.id, { deliveredAt: now });
    }
  });
  return due.map((r) => r.id);
}

// Yjs cannot encode `undefined` inside JSON content.
function stripUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * A finished background child wakes its idle lead: a new turn whose messages are the finished children's
 * results (delivered, and marked so, in the same transaction), queued for a driver. Returns the new turn,
 * or undefined when the lead is busy (it reads the results at its next turn boundary instead), the user
 * turned wake-ups off for it (meta `wakeOnResults: false`), or nothing is due.
 */
export function wakeIdleLead(doc: Y.Doc, now: number, newMessageId: () => string): number | undefined {
  const run = getRunState(doc);
  if (run.status !== 'idle') return undefined;
  if (getSessionMeta(doc)?.wakeOnResults === false) return undefined;
  if (!listSubagentRecords(doc).some((r) => FINISHED.has(r.status) && r.deliveredAt === undefined)) return undefined;
  const turn = run.turn + 1;
  doc.transact(() => {
    deliverFinishedResults(doc, turn, now, newMessageId);
    setRunState(doc, { turn, status: 'queued' });
  });
  return turn;
}
