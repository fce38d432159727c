// Background subagents: a session spawns child sessions that run through the same engine while it keeps going.
// The docs are the truth (space index entry with parentId/label/status, the child's own doc with
// parentId/parentSpanId, and a record per child in the parent doc); in memory there are only the queue of this
// driver and the stop sources of the children it is running. A finished child's result is appended to the
// parent at its next turn boundary (EngineHooks.atTurnBoundary -> deliverResults), exactly once.
import type * as Y from 'yjs';
import { getLease } from '../../doc/lease.ts';
import { getRunState, getSessionMeta, initSessionMeta, listMessages } from '../../doc/session.ts';
import { getSessionEntry, putSessionEntry, type SessionStatus, updateSessionEntry } from '../../doc/space.ts';
import { listSpans, openSpan } from '../../doc/spans.ts';
import type { IdPrefix } from '../../ids.ts';
import type { AbortSignalLike } from '../../model/model-client.ts';
import type { WorktreeDiff } from '../../runner/worktree.ts';
import type { TurnResult } from '../agent-engine.ts';
import type { Clock, ToolExecutor, ToolResult } from '../engine-deps.ts';
import { createStopSource, type StopSource } from '../stop-signal.ts';
import { usageTotals } from '../turn-snapshot.ts';
import {
  deliverFinishedResults,
  FINISHED,
  getSubagentRecord,
  listSubagentRecords,
  observeSubagentRecords,
  putSubagentRecord,
  type SubagentRecord,
  type SubagentStatus,
  updateSubagentRecord,
  worktreeSentence,
} from './subagent-records.ts';
import { type SpawnRequest, withSubagentTools } from './subagent-tools.ts';
import {
  type ChildWorktrees,
  createWorktreeResolver,
  openChildWorktree,
  type WorktreeAction,
  worktreeAfterRun,
} from './subagent-worktrees.ts';

export type ChildOutcome =
  | { status: 'done'; text: string }
  | { status: 'failed'; error: { code: string; message: string } }
  | { status: 'cancelled' }
  | { status: 'waiting-approval' }
  /** Another driver holds the child's session (its Web Lock): it runs there, this manager lets go. */
  | { status: 'elsewhere' };

export interface ChildRunOptions {
  childId: string;
  parentId: string;
  label: string;
  depth: number;
  model?: string;
  tools?: string[];
  /** The child's own git worktree (its session id): pin every runner tool call of the child to it. */
  worktree?: string;
}

export interface SubagentManagerOptions {
  space: Y.Doc;
  /** The (cached) doc of a session; the same instance for the same id. */
  openSessionDoc(id: string): Y.Doc;
  /**
   * Resolves once the session's doc may be written: a tab's doc store keeps on the device only the writes
   * made after it has loaded the doc. Absent where a write right away is kept (the agent host).
   */
  whenSessionDocLoaded?(id: string): Promise<void>;
  /** Runs the child's prompt as a turn of its own session (an AgentEngine over `childDoc`); see childOutcome. */
  runChild(childDoc: Y.Doc, prompt: string, opts: ChildRunOptions, signal: AbortSignalLike): Promise<ChildOutcome>;
  newId: (prefix: IdPrefix) => string;
  clock: Pick<Clock, 'now'>;
  /** Children of one session running at once; the rest wait in a queue. */
  maxConcurrent?: number;
  /** Deepest allowed child (1 = children of top-level sessions only). */
  maxDepth?: number;
  /** Git worktrees for children spawned with `worktree: true`; without it they get the shared workspace. */
  worktrees?: ChildWorktrees;
  /** Called after a child's end is recorded in its lead's doc (the driver may wake an idle lead). */
  onChildEnded?: (parentDoc: Y.Doc, childId: string) => void;
}

export interface SubagentView {
  id: string;
  label: string;
  status: SubagentStatus;
  elapsedMs: number;
  tokens: { prompt: number; completion: number; total: number };
  lastActivityAt: number;
  worktree?: SubagentRecord['worktree'];
}

export interface SubagentManager {
  /** The session's tool executor with spawn_subagent, subagent_status and subagent_result added. */
  tools(parentDoc: Y.Doc, base?: ToolExecutor): ToolExecutor;
  /** For EngineHooks.atTurnBoundary: appends finished children's results to the parent as messages. */
  deliverResults(parentDoc: Y.Doc, turn: number): string[];
  status(parentDoc: Y.Doc, id?: string): SubagentView[];
  cancel(childId: string): void;
  cancelAll(parentId: string): void;
  /**
   * Takes over the children another driver left behind (its tab closed): queued ones join this queue, running
   * ones are resumed from their docs (runChild sees a child whose turn already started and resumes it).
   */
  adopt(parentDoc: Y.Doc, drivenElsewhere?: (childId: string) => boolean): void;
  /** True while this manager has queued or running children of the session. */
  busyWith(parentId: string): boolean;
  /** The diff of a child's worktree as it is now (for the review UI); throws the runner's error. */
  worktreeDiff(childId: string): Promise<WorktreeDiff>;
  /** Merges or discards a finished child's worktree and records the outcome (the subagent_merge tool and the UI). */
  resolveWorktree(parentDoc: Y.Doc, childId: string, action: WorktreeAction): Promise<ToolResult>;
  /** Resolves when none of the session's children is queued or running here. */
  settled(parentId: string): Promise<void>;
  depthOf(sessionId: string): number;
}

const CHAT_NO_WORKTREE =
  'Only subagents of coder sessions work in a git worktree; this one has no workspace tools, so it needs none.';

export const SUBAGENT_DEFAULTS = { maxConcurrent: 3, maxDepth: 2 } as const;

interface ParentSlots {
  queue: string[];
  running: Map<string, StopSource>;
  waiters: Array<() => void>;
}

export function createSubagentManager(opts: SubagentManagerOptions): SubagentManager {
  const maxConcurrent = opts.maxConcurrent ?? SUBAGENT_DEFAULTS.maxConcurrent;
  const maxDepth = opts.maxDepth ?? SUBAGENT_DEFAULTS.maxDepth;
  const slots = new Map<string, ParentSlots>();
  const { space, clock } = opts;

  const slotsOf = (parentId: string): ParentSlots => {
    const existing = slots.get(parentId);
    if (existing) return existing;
    const fresh: ParentSlots = { queue: [], running: new Map(), waiters: [] };
    slots.set(parentId, fresh);
    return fresh;
  };
  const sessionIdOf = (doc: Y.Doc) => getSessionMeta(doc)?.id ?? doc.guid;

  function depthOf(sessionId: string): number {
    let depth = 0;
    const seen = new Set<string>();
    for (let id = getSessionEntry(space, sessionId)?.parentId; id && !seen.has(id); ) {
      seen.add(id);
      depth++;
      id = getSessionEntry(space, id)?.parentId;
    }
    return depth;
  }

  function setStatus(parentDoc: Y.Doc, id: string, patch: Partial<SubagentRecord> & { status: SubagentStatus }): void {
    updateSubagentRecord(parentDoc, id, patch);
    const indexStatus: SessionStatus = patch.status === 'queued' ? 'idle' : patch.status;
    updateSessionEntry(space, id, { status: indexStatus, updatedAt: clock.now() });
  }

  async function spawn(parentDoc: Y.Doc, req: SpawnRequest, spawningSpanId: string): Promise<ToolResult> {
    const parentId = sessionIdOf(parentDoc);
    const depth = depthOf(parentId) + 1;
    if (depth > maxDepth)
      return {
        ok: false,
        error: {
          code: 'SUBAGENT_DEPTH_LIMIT',
          message: `This session is a subagent at depth ${depth - 1}, the deepest allowed (limit ${maxDepth}): it cannot spawn further subagents. Do this part of the task yourself.`,
        },
      };
    const id = opts.newId('ses');
    const kind = getSessionMeta(parentDoc)?.kind ?? 'chat';
    // Only a coder child has the runner's tools; a chat child gets the notice instead of a worktree it cannot use.
    const opened = !req.worktree
      ? undefined
      : kind === 'coder'
        ? await openChildWorktree(opts.worktrees, id)
        : ({ ok: true, worktree: { state: 'unavailable', notice: CHAT_NO_WORKTREE } } as const);
    if (opened && !opened.ok) return opened.result;
    const worktree = opened?.worktree;
    // The child's meta is its first write: made before the doc loaded, it was never stored on the device, and
    // every later write of the child depends on it, so after a reload the child's session looked empty.
    const childDoc = opts.openSessionDoc(id);
    await opts.whenSessionDocLoaded?.(id);
    const now = clock.now();
    const label = req.label ?? `subagent ${listSubagentRecords(parentDoc).length + 1}`;
    putSessionEntry(space, { id, title: label, kind, status: 'idle', parentId, label, createdAt: now, updatedAt: now });
    initSessionMeta(childDoc, {
      id,
      title: label,
      kind,
      createdAt: now,
      parentId,
      parentSpanId: spawningSpanId,
      ...(req.model ? { model: req.model } : {}),
      // On the child's own meta, so every turn of it (a resume, another tab, the user typing) keeps both.
      ...(req.tools ? { tools: req.tools } : {}),
      ...(worktree?.state === 'active' ? { worktree: id } : {}),
    });
    putSubagentRecord(parentDoc, {
      id,
      parentId,
      parentSpanId: spawningSpanId,
      label,
      prompt: req.prompt,
      model: req.model,
      tools: req.tools,
      depth,
      status: 'queued',
      queuedAt: now,
      worktree,
    });
    slotsOf(parentId).queue.push(id);
    pump(parentDoc);
    const status = getSubagentRecord(parentDoc, id)?.status ?? 'queued';
    return {
      ok: true,
      output: `Started subagent "${label}" with id ${id} (status: ${status}). It runs in the background; its result will arrive as a message when it finishes.${worktree ? ` ${worktreeSentence(worktree)}` : ''}`,
    };
  }

  function pump(parentDoc: Y.Doc): void {
    const parentId = sessionIdOf(parentDoc);
    const s = slotsOf(parentId);
    while (s.running.size < maxConcurrent && s.queue.length) {
      const id = s.queue.shift()!;
      const record = getSubagentRecord(parentDoc, id);
      if (record?.status === 'queued') start(parentDoc, record, s);
    }
    if (!s.running.size && !s.queue.length) for (const w of s.waiters.splice(0)) w();
  }

  function start(parentDoc: Y.Doc, record: SubagentRecord, s: ParentSlots): void {
    const stop = createStopSource();
    s.running.set(record.id, stop);
    setStatus(parentDoc, record.id, { status: 'running', startedAt: record.startedAt ?? clock.now() });
    // A cancel from another tab reaches this driver through the doc: the record turns cancelled.
    const unobserve = observeSubagentRecords(parentDoc, (changed) => {
      if (changed.some((r) => r.id === record.id && r.status === 'cancelled')) stop.stop('cancelled');
    });
    const runOpts: ChildRunOptions = {
      childId: record.id,
      parentId: record.parentId,
      label: record.label,
      depth: record.depth,
      ...(record.model ? { model: record.model } : {}),
      ...(record.tools ? { tools: record.tools } : {}),
      ...(record.worktree?.state === 'active' ? { worktree: record.id } : {}),
    };
    opts
      .runChild(opts.openSessionDoc(record.id), record.prompt, runOpts, stop.signal)
      .catch(
        (e): ChildOutcome => ({
          status: 'failed',
          error: { code: 'SUBAGENT_FAILED', message: e instanceof Error ? e.message : String(e) },
        }),
      )
      .then(async (outcome) => {
        // The diff stat goes on the record before the child counts as finished, so the result message has it.
        const ended = outcome.status !== 'elsewhere' && outcome.status !== 'waiting-approval';
        const worktree = ended ? await worktreeAfterRun(opts.worktrees, record) : undefined;
        if (worktree) updateSubagentRecord(parentDoc, record.id, { worktree });
        unobserve();
        s.running.delete(record.id);
        if (outcome.status !== 'elsewhere')
          finish(parentDoc, record.id, stop.signal.aborted ? { status: 'cancelled' } : outcome);
        pump(parentDoc);
        if (FINISHED.has(getSubagentRecord(parentDoc, record.id)?.status ?? 'queued'))
          opts.onChildEnded?.(parentDoc, record.id);
      });
  }

  function finish(parentDoc: Y.Doc, id: string, outcome: ChildOutcome): void {
    const record = getSubagentRecord(parentDoc, id);
    if (!record || FINISHED.has(record.status) || outcome.status === 'elsewhere') return;
    if (outcome.status === 'waiting-approval') {
      setStatus(parentDoc, id, { status: 'waiting-approval' });
      return;
    }
    const now = clock.now();
    parentDoc.transact(() => {
      setStatus(parentDoc, id, {
        status: outcome.status,
        endedAt: now,
        ...(outcome.status === 'done' ? { result: outcome.text } : {}),
        ...(outcome.status === 'failed' ? { error: outcome.error } : {}),
      });
      // The trace's record of the child: nested under the spawning tool span, pointing at the child session.
      openSpan(parentDoc, {
        id: opts.newId('spn'),
        parentId: record.parentSpanId,
        kind: 'subagent',
        name: record.label,
        turn: listSpans(parentDoc).find((sp) => sp.id === record.parentSpanId)?.turn ?? 0,
        startedAt: record.startedAt ?? record.queuedAt,
        endedAt: now,
        status: outcome.status === 'done' ? 'ok' : outcome.status === 'failed' ? 'error' : 'cancelled',
        childSessionId: id,
        input: { prompt: record.prompt },
        ...(outcome.status === 'done' ? { output: outcome.text } : {}),
        ...(outcome.status === 'failed' ? { error: outcome.error } : {}),
      });
    });
  }

  function view(r: SubagentRecord): SubagentView {
    const child = opts.openSessionDoc(r.id);
    const usage = usageTotals(child);
    let last = r.endedAt ?? r.startedAt ?? r.queuedAt;
    for (const m of listMessages(child)) last = Math.max(last, m.createdAt);
    for (const sp of listSpans(child)) last = Math.max(last, sp.endedAt ?? sp.startedAt);
    const now = clock.now();
    return {
      id: r.id,
      label: r.label,
      // A running child whose call waits for the user: its driver says so in the index.
      status:
        r.status === 'running' && getSessionEntry(space, r.id)?.status === 'waiting-approval'
          ? 'waiting-approval'
          : r.status,
      elapsedMs: r.startedAt === undefined ? 0 : (r.endedAt ?? now) - r.startedAt,
      tokens: { prompt: usage.prompt, completion: usage.completion, total: usage.prompt + usage.completion },
      lastActivityAt: last,
      ...(r.worktree ? { worktree: r.worktree } : {}),
    };
  }

  const resolveWorktree = createWorktreeResolver(opts.worktrees, () => clock.now());

  function status(parentDoc: Y.Doc, id?: string): SubagentView[] {
    const records = listSubagentRecords(parentDoc).filter((r) => id === undefined || r.id === id);
    return records.map(view);
  }

  function resultText(parentDoc: Y.Doc, id: string): ToolResult {
    const r = getSubagentRecord(parentDoc, id);
    if (!r) return notFound(id);
    if (r.status === 'done') return { ok: true, output: r.result ?? '' };
    if (r.status === 'failed')
      return {
        ok: false,
        error: { code: 'SUBAGENT_FAILED', message: `Subagent "${r.label}" failed: ${r.error?.message}` },
      };
    if (r.status === 'cancelled')
      return {
        ok: false,
        error: { code: 'SUBAGENT_CANCELLED', message: `Subagent "${r.label}" was cancelled; it has no result.` },
      };
    return {
      ok: false,
      error: {
        code: 'SUBAGENT_STILL_RUNNING',
        message: `Subagent "${r.label}" is still running (status: ${r.status}); its result will arrive as a message when it finishes.`,
      },
    };
  }

  function cancel(childId: string): void {
    const parentId = getSessionEntry(space, childId)?.parentId;
    if (!parentId) return;
    const parentDoc = opts.openSessionDoc(parentId);
    const record = getSubagentRecord(parentDoc, childId);
    if (!record || FINISHED.has(record.status)) return;
    const s = slotsOf(parentId);
    const running = s.running.get(childId);
    // A running child ends through its run's promise (the engine closes its spans); everything else ends here.
    if (running) {
      running.stop('cancelled');
      return;
    }
    s.queue = s.queue.filter((q) => q !== childId);
    finish(parentDoc, childId, { status: 'cancelled' });
    pump(parentDoc);
  }

  return {
    tools: (parentDoc, base) =>
      withSubagentTools(
        {
          spawn: (req, spanId) => spawn(parentDoc, req, spanId),
          statusText: (id) => {
            const views = status(parentDoc, id);
            if (id && !views.length) return notFound(id);
            return { ok: true, output: JSON.stringify(id ? views[0] : views, null, 1) };
          },
          resultText: (id) => resultText(parentDoc, id),
          resolveWorktree: (id, action) => resolveWorktree(parentDoc, id, action),
        },
        base,
      ),
    deliverResults: (parentDoc, turn) => deliverFinishedResults(parentDoc, turn, clock.now(), () => opts.newId('msg')),
    status,
    cancel,
    cancelAll: (parentId) => {
      for (const r of listSubagentRecords(opts.openSessionDoc(parentId))) if (!FINISHED.has(r.status)) cancel(r.id);
    },
    adopt: (parentDoc, drivenElsewhere) => {
      const s = slotsOf(sessionIdOf(parentDoc));
      // By default a child is driven elsewhere while its session's lease is held; drivers pass their own
      // judgement (lease/driver-lease.ts LeaseWatch), which also knows a holder that is gone.
      const alive =
        drivenElsewhere ??
        ((id: string) => {
          const child = opts.openSessionDoc(id);
          const lease = getLease(child, 'turn');
          // A driver without a seat (tests, the CLI) leaves no lease: its 'running' is all there is to go by.
          return lease ? lease.state !== 'released' : getRunState(child).status === 'running';
        });
      for (const r of listSubagentRecords(parentDoc)) {
        if (r.status === 'queued' && !s.queue.includes(r.id)) s.queue.push(r.id);
        // Its driver died mid-turn (or before it recorded the end): resume it here, outside the queue it left.
        if (r.status === 'running' && !s.running.has(r.id) && !alive(r.id)) start(parentDoc, r, s);
        // It ended waiting for an approval; once the user answered in its session and its turn went on, the
        // record learns how it ended here (resume finds nothing to do and reads the end from the doc).
        const childRun = r.status === 'waiting-approval' ? getRunState(opts.openSessionDoc(r.id)).status : undefined;
        if (childRun && childRun !== 'waiting-approval' && !s.running.has(r.id) && !alive(r.id)) start(parentDoc, r, s);
      }
      pump(parentDoc);
    },
    busyWith: (parentId) => {
      const s = slots.get(parentId);
      return !!s && (s.running.size > 0 || s.queue.length > 0);
    },
    settled: (parentId) =>
      new Promise<void>((resolve) => {
        const s = slotsOf(parentId);
        if (!s.running.size && !s.queue.length) resolve();
        else s.waiters.push(resolve);
      }),
    depthOf,
    worktreeDiff: (childId) => {
      if (!opts.worktrees) return Promise.reject(new Error('This tab has no local runner to read worktrees from.'));
      return opts.worktrees.diff(childId);
    },
    resolveWorktree,
  };
}

function notFound(id: string): ToolResult {
  return { ok: false, error: { code: 'SUBAGENT_NOT_FOUND', message: `This session has no subagent with id ${id}.` } };
}

/** Maps the child's turn to its outcome: the last answer of the turn, or why there is none. */
export function childOutcome(childDoc: Y.Doc, result: TurnResult): ChildOutcome {
  if (result.outcome === 'cancelled') return { status: 'cancelled' };
  if (result.outcome === 'waiting-approval') return { status: 'waiting-approval' };
  if (result.outcome === 'step-limit')
    return { status: 'failed', error: { code: 'step-limit', message: 'The subagent hit its step limit.' } };
  if (result.outcome === 'error')
    return { status: 'failed', error: result.error ?? { code: 'error', message: 'The subagent failed.' } };
  const last = listMessages(childDoc)
    .filter((m) => m.role === 'assistant' && m.turn === result.turn && m.text)
    .at(-1);
  return { status: 'done', text: last?.text ?? '' };
}
