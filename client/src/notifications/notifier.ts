// Watches the docs for notification events and hands each one to `emit`: the session index (subagents
// finishing, sessions waiting for an approval: a driving tab mirrors its waiting calls into the index
// status) and the runs of recent workflows (a run finishing).
// A run's status lives in its own doc, so a run is watched (its doc held open) only while it may
// still finish: from the first look until it is no longer running.
import { workflowRunDocName } from '@boocode/shared/doc/names';
import { getSessionEntry, listSessions, observeSessions } from '@boocode/shared/doc/space';
import {
  getWorkflowRun,
  listWorkflowRuns,
  observeWorkflowRun,
  observeWorkflowRunIndex,
  type WorkflowRunIndexEntry,
} from '@boocode/shared/doc/workflow-run';
import type { RunStatus } from '@boocode/shared/workflow/run-record';
import type * as Y from 'yjs';
import { type NotifyEvent, SessionIndexEvents, workflowRunEvent } from './notify-events.ts';

export interface NotifierDeps {
  space: Y.Doc;
  openDoc(name: string): { doc: Y.Doc; whenLoaded: Promise<void>; release(): void };
  emit(event: NotifyEvent): void;
  now(): number;
}

/** Runs older than this are not watched: one still "running" after a day lost its driver long ago. */
export const RUN_WATCH_WINDOW_MS = 24 * 60 * 60 * 1000;
/** At most this many run docs are held open for notifications. */
export const MAX_WATCHED_RUNS = 10;

/** Starts watching; the returned function stops and releases every doc it opened. */
export function startNotifier(deps: NotifierDeps): () => void {
  const { space } = deps;
  const since = deps.now();
  const sessions = new SessionIndexEvents(
    {
      entries: () => listSessions(space, { includeArchived: true }),
      entry: (id) => getSessionEntry(space, id),
      runsOf: (id) => listWorkflowRuns(space, id),
    },
    since,
  );
  const runs = watchRuns(deps, since);
  const stopSessions = observeSessions(space, () => {
    const changes = sessions.update();
    for (const event of changes.events) deps.emit(event);
    for (const sessionId of changes.runSessions) runs.recheck(sessionId);
  });
  return () => {
    stopSessions();
    runs.stop();
  };
}

function allRuns(space: Y.Doc): WorkflowRunIndexEntry[] {
  // The index has no "all runs" accessor: runs are listed per session they were started from.
  const ids = new Set(listSessions(space, { includeArchived: true, includeDeleted: true }).map((s) => s.id));
  return [...ids].flatMap((id) => listWorkflowRuns(space, id));
}

interface RunWatch {
  /** Watches again the runs of a session that are not watched now (one may have been resumed). */
  recheck(sessionId: string): void;
  stop(): void;
}

function watchRuns(deps: NotifierDeps, since: number): RunWatch {
  const { space } = deps;
  const looked = new Set<string>();
  const watching = new Map<string, () => void>();
  let stopped = false;

  const watch = (runId: string) => {
    if (watching.has(runId) || watching.size >= MAX_WATCHED_RUNS) return;
    looked.add(runId);
    const handle = deps.openDoc(workflowRunDocName(runId));
    let before: RunStatus | undefined;
    let unobserve = () => {};
    const stop = () => {
      unobserve();
      handle.release();
      watching.delete(runId);
    };
    watching.set(runId, stop);
    const check = () => {
      const run = getWorkflowRun(handle.doc);
      if (!run) return;
      const event = workflowRunEvent(before, run, getSessionEntry(space, run.sessionId)?.title);
      before = run.status;
      if (event) deps.emit(event);
      // Nothing more to say about a run that is not running, until its agents start again (recheck).
      if (run.status !== 'running') stop();
    };
    handle.whenLoaded.then(() => {
      if (stopped || !watching.has(runId)) return;
      unobserve = observeWorkflowRun(handle.doc, check);
      check();
    }, stop);
  };

  const recent = (r: WorkflowRunIndexEntry) => r.createdAt >= since - RUN_WATCH_WINDOW_MS;
  const scan = () => {
    const fresh = allRuns(space)
      .filter((r) => recent(r) && !looked.has(r.runId))
      .sort((a, b) => b.createdAt - a.createdAt);
    for (const r of fresh) watch(r.runId);
  };
  scan();
  const unobserveIndex = observeWorkflowRunIndex(space, scan);
  return {
    recheck: (sessionId) => {
      if (stopped) return;
      for (const r of listWorkflowRuns(space, sessionId)) if (recent(r)) watch(r.runId);
    },
    stop: () => {
      stopped = true;
      unobserveIndex();
      for (const stop of [...watching.values()]) stop();
    },
  };
}
