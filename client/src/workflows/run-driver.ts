// Drives a workflow run from this tab. Exactly one tab drives a run: it holds the Web Lock named
// after the run doc for as long as the run goes on. Every other tab watches the doc; stop requests
// go through the doc, so any tab can stop a run or one agent. A run the doc says is running while
// nobody holds its lock lost its driver (reload, crash): the next tab to look resumes it, and the
// spec-hash cache skips every agent that had finished.

import { sessionDocName, workflowRunDocName } from '@boocode/shared/doc/names';
import { getSessionMeta } from '@boocode/shared/doc/session';
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import {
  getWorkflowRun,
  markWorkflowRunStatus,
  type OpenRunDoc,
  observeWorkflowRun,
  setRunDriverBeat,
  setStopRequested,
  type WorkflowRunView,
  YDocRunStore,
} from '@boocode/shared/doc/workflow-run';
import type { WorkerRunHandle } from '@boocode/workflows/worker/worker-client';
import type * as Y from 'yjs';
import type { DocStore } from '../docs/doc-store.ts';
import { BEAT_MS, thisDeviceId } from '../docs/driver-liveness.ts';
import type { LocalDb } from '../docs/local-db.ts';

const LOCK_PREFIX = 'boocode-workflow:';

export type DriveResult = 'finished' | 'busy' | 'idle';

export interface RunDriverDeps {
  db: LocalDb;
  store: DocStore;
  space: Y.Doc;
}

/** Runs this tab drives right now. */
const driving = new Map<string, WorkerRunHandle | 'starting'>();
const listeners = new Set<() => void>();

export function isDrivenHere(runId: string): boolean {
  return driving.has(runId);
}

export function subscribeDriving(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function changed() {
  for (const fn of listeners) fn();
}

function lockName(runId: string): string {
  return `${LOCK_PREFIX}${workflowRunDocName(runId)}`;
}

/** True when some tab of this origin holds the run's lock (it is driving the run). */
export async function runLockHeld(runId: string): Promise<boolean> {
  const snapshot = await navigator.locks.query();
  return (snapshot.held ?? []).some((l) => l.name === lockName(runId));
}

/**
 * Drives the run if the doc says it is running and no tab holds its lock; resolves when this tab
 * stops driving it ('busy' when another tab drives it, 'idle' when there was nothing to run).
 */
export async function driveRun(
  deps: RunDriverDeps,
  runId: string,
  opts: { takeover?: boolean } = {},
): Promise<DriveResult> {
  if (driving.has(runId)) return 'busy';
  driving.set(runId, 'starting');
  changed();
  try {
    return await navigator.locks.request(lockName(runId), { ifAvailable: true }, async (lock) =>
      lock ? runUnderLock(deps, runId, opts.takeover ?? false) : ('busy' as const),
    );
  } finally {
    driving.delete(runId);
    changed();
  }
}

/**
 * A takeover waits a moment after getting the lock: a driver that just finished wrote "completed"
 * and then let the lock go, and that write may still be on its way to this tab's copy of the doc.
 */
const TAKEOVER_SETTLE_MS = 400;

async function runUnderLock(deps: RunDriverDeps, runId: string, takeover: boolean): Promise<'finished' | 'idle'> {
  const handle = deps.store.openDoc(workflowRunDocName(runId));
  try {
    await handle.whenLoaded;
    if (takeover) await new Promise((resolve) => setTimeout(resolve, TAKEOVER_SETTLE_MS));
    const doc = handle.doc;
    const run = getWorkflowRun(doc);
    if (run?.status !== 'running') return 'idle';
    if (run.stopRequested) {
      // Stopped while its driver was gone: honour the stop instead of resuming.
      markWorkflowRunStatus(doc, 'stopped');
      return 'idle';
    }
    const parent = await readParentMeta(deps.store, run.sessionId);
    const inFlight = new Map<string, string>();
    for (const agent of run.agents) {
      const child = run.activity[agent.id]?.childSessionId;
      if (agent.status === 'running' && child && agent.attempts <= 1) inFlight.set(agent.prompt, child);
    }
    // Other devices cannot see this tab's lock: the beat in the synced doc tells them the run is driven.
    const device = thisDeviceId();
    const beat = () => setRunDriverBeat(doc, { device, at: Date.now() });
    beat();
    const beating = setInterval(beat, BEAT_MS);
    try {
      await runInWorker(deps, doc, run, parent, inFlight);
    } catch (error) {
      // The run cannot even start here (a chunk failed to load, no Worker): say so, do not retry forever.
      const message = error instanceof Error ? error.message : String(error);
      await new YDocRunStore(doc).appendLog({ at: Date.now(), level: 'warn', message });
      markWorkflowRunStatus(doc, 'failed');
    } finally {
      clearInterval(beating);
    }
    return 'finished';
  } finally {
    handle.release();
  }
}

async function runInWorker(
  deps: RunDriverDeps,
  doc: Y.Doc,
  run: WorkflowRunView,
  parent: SessionMeta | undefined,
  inFlight: Map<string, string>,
): Promise<void> {
  const { runId } = run;
  // Loaded only now: the engine, the worker and the QuickJS wasm stay out of the app's first load.
  const [{ runWorkflowInWorker }, { createBrowserAgentHost }, { createTabWorkflowResolver }, { readRunnerPairing }] =
    await Promise.all([
      import('@boocode/workflows/worker/worker-client'),
      import('./browser-agents.ts'),
      import('./runner-workflow-lookup.ts'),
      import('../runner/runner-pairing.ts'),
    ]);
  // workflow(name) from the script: the project's folders and the personal one through the runner
  // (its last listing when it is away), then the built-in catalog.
  const resolveWorkflow = createTabWorkflowResolver(deps.db, await readRunnerPairing(deps.db));
  const openRunDoc: OpenRunDoc = async (otherId) => {
    const name = workflowRunDocName(otherId);
    const other = deps.store.openDoc(name);
    await other.whenLoaded;
    // A run made on another device may not be on this one yet: give the sync a moment to bring it.
    await settled(deps.store, name, SYNC_WAIT_MS);
    return { doc: other.doc, release: other.release };
  };
  const worker = runWorkflowInWorker(
    () => new Worker(new URL('../../../workflows/src/worker.ts', import.meta.url), { type: 'module' }),
    {
      request: {
        runId,
        source: run.source,
        ...(run.args === undefined ? {} : { args: run.args }),
        cacheRule: run.cacheRule,
        ...(run.limits ? { limits: run.limits } : {}),
      },
      agents: createBrowserAgentHost({
        db: deps.db,
        store: deps.store,
        space: deps.space,
        runDoc: doc,
        sessionId: run.sessionId,
        workflowName: run.workflowName,
        model: parent?.model,
        provider: parent?.provider,
        inFlight,
      }),
      store: new YDocRunStore(doc, { space: deps.space, openRunDoc }),
      onEvent: () => {},
      resolveWorkflow,
    },
  );
  driving.set(runId, worker);
  changed();
  const stopWatching = followStopRequests(doc, worker);
  try {
    await worker.outcome;
  } finally {
    stopWatching();
  }
}

/** How long a cross-run cache lookup waits for the other run's doc to sync. */
const SYNC_WAIT_MS = 3000;

/** Resolves once the doc's sync is no longer in progress (synced, local-only, offline), or after `ms`. */
function settled(store: DocStore, name: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      if (store.status.get(name) === 'syncing') return false;
      clearTimeout(timer);
      unsubscribe();
      resolve();
      return true;
    };
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    const unsubscribe = store.status.subscribe(() => void done());
    done();
  });
}

/** Stop requests written to the doc by any tab reach the worker here. */
function followStopRequests(doc: Y.Doc, worker: WorkerRunHandle): () => void {
  // Requests left from an earlier attempt name agents of that attempt, not of this one.
  const stoppedAgents = new Set<string>(getWorkflowRun(doc)?.stopAgentIds ?? []);
  let stopped = false;
  const check = () => {
    const run = getWorkflowRun(doc);
    if (!run) return;
    if (run.stopRequested && !stopped) {
      stopped = true;
      worker.stop();
    }
    for (const id of run.stopAgentIds) {
      if (stoppedAgents.has(id)) continue;
      stoppedAgents.add(id);
      worker.stopAgent(id);
    }
  };
  check();
  return observeWorkflowRun(doc, check);
}

async function readParentMeta(store: DocStore, sessionId: string) {
  const handle = store.openDoc(sessionDocName(sessionId));
  try {
    await handle.whenLoaded;
    return getSessionMeta(handle.doc);
  } finally {
    handle.release();
  }
}

/** Resume a stopped or failed run: it becomes running again and this tab drives it. */
export function resumeRun(deps: RunDriverDeps, doc: Y.Doc, runId: string): Promise<DriveResult> {
  doc.transact(() => {
    setStopRequested(doc, false);
    markWorkflowRunStatus(doc, 'running');
  });
  return driveRun(deps, runId);
}
