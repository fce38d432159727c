// What counts as a notification event, derived from the docs alone, so every tab that sees the same
// change computes the same event id (the claim table then lets exactly one of them show it).
// Invariant: history is never an event. A status seen at the first look is a baseline, and a change
// written before this tab started (older `updatedAt`, or a finished run that arrives by sync) is not news.
import type { SessionIndexEntry, SessionStatus } from '@boocode/shared/doc/space';
import type { WorkflowRunIndexEntry, WorkflowRunView } from '@boocode/shared/doc/workflow-run';
import type { RunStatus } from '@boocode/shared/workflow/run-record';

/** The kinds a user turns system notifications on for, one by one, in Settings. */
export type NotifyKind = 'subagent' | 'workflow' | 'approval';

export const NOTIFY_KINDS: readonly NotifyKind[] = ['subagent', 'workflow', 'approval'];

export interface NotifyEvent {
  /** Same in every tab: `subagent:<childId>:<status>`, `workflow:<runId>:<attempt>:<status>`, `approval:<sessionId>:<at>`. */
  id: string;
  kind: NotifyKind;
  /** What happened, in words ("Subagent “tests” finished"). */
  title: string;
  body?: string;
  /** The session a click opens. */
  sessionId: string;
  tone: 'ok' | 'error' | 'attention';
}

const quote = (s: string) => `“${s}”`;

/** How far behind this device's clock another device's may be, for a change this tab saw happen. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * A child session started by a workflow's `agent()` (browser-agents.ts titles it
 * `<workflow> · <label>` under the session the run was started from). Those are reported once per
 * run, not once per agent. The index entry has no field saying who started a child, so this reads
 * the title the workflow gave it.
 */
export function isWorkflowAgent(entry: SessionIndexEntry, parentRuns: readonly WorkflowRunIndexEntry[]): boolean {
  if (entry.parentId === undefined || entry.label === undefined) return false;
  return parentRuns.some((r) => r.sessionId === entry.parentId && entry.title === `${r.workflowName} · ${entry.label}`);
}

export interface SessionIndexReader {
  /** Every live (not deleted) entry of the space doc's session index. */
  entries(): SessionIndexEntry[];
  entry(id: string): SessionIndexEntry | undefined;
  /** Workflow runs started from a session (to tell workflow agents from subagents). */
  runsOf(sessionId: string): WorkflowRunIndexEntry[];
}

export interface IndexChanges {
  events: NotifyEvent[];
  /** Sessions whose workflow agents just started running: a run of theirs may have been resumed. */
  runSessions: string[];
}

/**
 * Turns session index changes into events: a subagent that finished or failed, and a session that
 * is waiting for an approval. Keeps the last status it saw per session.
 */
export class SessionIndexEvents {
  private readonly seen = new Map<string, SessionStatus>();

  constructor(
    private readonly index: SessionIndexReader,
    /** When this tab started watching: changes written before it are history. */
    private readonly since: number,
  ) {
    for (const e of index.entries()) this.seen.set(e.id, e.status);
  }

  /** Call after any change to the index; returns the events it made. */
  update(): IndexChanges {
    const events: NotifyEvent[] = [];
    const runSessions = new Set<string>();
    for (const entry of this.index.entries()) {
      const before = this.seen.get(entry.id);
      this.seen.set(entry.id, entry.status);
      if (before === entry.status || entry.updatedAt < this.floor(before)) continue;
      if (entry.status === 'running' && entry.parentId !== undefined) {
        if (isWorkflowAgent(entry, this.index.runsOf(entry.parentId))) runSessions.add(entry.parentId);
        continue;
      }
      const event = this.eventFor(entry);
      if (event) events.push(event);
    }
    return { events, runSessions: [...runSessions] };
  }

  /**
   * How old a change may be and still be news. A change from a status this tab saw may carry a
   * stamp from a device whose clock runs behind; an entry never seen before (a device's first sync
   * brings them all) must be newer than the tab.
   */
  private floor(before: SessionStatus | undefined): number {
    return before === undefined ? this.since : this.since - CLOCK_SKEW_MS;
  }

  private eventFor(entry: SessionIndexEntry): NotifyEvent | undefined {
    if (entry.status === 'waiting-approval') {
      return {
        id: `approval:${entry.id}:${entry.updatedAt}`,
        kind: 'approval',
        title: `Approval waiting in ${quote(entry.title)}`,
        body: 'A tool call needs your go-ahead before the agent can go on.',
        sessionId: entry.id,
        tone: 'attention',
      };
    }
    if (entry.status !== 'done' && entry.status !== 'failed') return undefined;
    if (entry.parentId === undefined || isWorkflowAgent(entry, this.index.runsOf(entry.parentId))) return undefined;
    const parent = this.index.entry(entry.parentId);
    const name = quote(entry.label ?? entry.title);
    return {
      id: `subagent:${entry.id}:${entry.status}`,
      kind: 'subagent',
      title: entry.status === 'done' ? `Subagent ${name} finished` : `Subagent ${name} failed`,
      ...(parent ? { body: `Started from ${quote(parent.title)}` } : {}),
      sessionId: entry.id,
      tone: entry.status === 'done' ? 'ok' : 'error',
    };
  }
}

/**
 * The event a workflow run's change makes, if any: only a run this tab saw running that is now
 * completed or failed (a stop is the user's own doing). A run that first appears finished arrived
 * by sync and is history.
 */
export function workflowRunEvent(
  before: RunStatus | undefined,
  run: WorkflowRunView,
  sessionTitle: string | undefined,
): NotifyEvent | undefined {
  if (before !== 'running' || (run.status !== 'completed' && run.status !== 'failed')) return undefined;
  const name = run.meta?.name ?? run.workflowName;
  const failed = run.status === 'failed';
  const reason = run.outcome?.error?.message;
  return {
    id: `workflow:${run.runId}:${run.attempts}:${run.status}`,
    kind: 'workflow',
    title: failed ? `Workflow ${name} failed${reason ? `: ${reason}` : ''}` : `Workflow ${name} finished`,
    ...(sessionTitle ? { body: `Started from ${quote(sessionTitle)}` } : {}),
    sessionId: run.sessionId,
    tone: failed ? 'error' : 'ok',
  };
}
