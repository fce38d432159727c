// Drives a workflow run from this tab. Exactly one driver (a tab, or the agent host) drives a run: it
// holds the run doc's `run` lease (shared/src/lease/driver-lease.ts) for as long as the run goes on and
// beats it. Every other tab watches the doc; stop requests go through the doc, so any tab can stop a run
// or one agent. A run the doc says is running whose lease is abandoned lost its driver (reload, crash):
// the next driver to look resumes it, and the spec-hash cache skips every agent that had finished.

import { realClock } from '@boocode/shared/agent/engine-deps';
import { sessionDocName, workflowRunDocName } from '@boocode/shared/doc/names';
import { getSessionMeta } from '@boocode/shared/doc/session';
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import {
  getWorkflowRun,
  markWorkflowRunStatus,
  type OpenRunDoc,
  observeWorkflowRun,
  setStopRequested,
  type WorkflowRunView,
  YDocRunStore,
} from '@boocode/shared/doc/workflow-run';
import type { AbortSignalLike } from '@boocode/shared/model/model-client';
import type { RunStore } from '@boocode/workflows/engine/run-store';
import type { WorkerRunHandle } from '@boocode/workflows/worker/worker-client';
import type * as Y from 'yjs';
import type { DocStore } from '../docs/doc-store.ts';
import { takeLease } from '../docs/lease-seat.ts';
import type { LocalDb } from '../docs/local-db.ts';

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

/**
 * Drives the run if the doc says it is running and its lease is free or abandoned; resolves when this tab
 * stops driving it ('busy' when another driver has it, 'idle' when there was nothing to run). The claim's
 * settle also lets a driver that just finished get its last writes ("completed") to this tab's copy.
 */
export async function driveRun(deps: RunDriverDeps, runId: string): Promise<DriveResult> {
  if (driving.has(runId)) return 'busy';
  driving.set(runId, 'starting');
  changed();
  const name = workflowRunDocName(runId);
  const handle = deps.store.openDoc(name);
  try {
    await handle.whenLoaded;
    const lease = await takeLease(deps.store, name, handle.doc, 'run');
    if (!lease) return 'busy';
    const stopBeating = lease.startBeating(realClock);
    try {
      return await runUnderLease(deps, handle.doc, lease.lost);
    } finally {
      stopBeating();
      lease.release();
    }
  } finally {
    handle.release();
    driving.delete(runId);
    changed();
  }
}

async function runUnderLease(deps: RunDriverDeps, doc: Y.Doc, lost: AbortSignalLike): Promise<'finished' | 'idle'> {
  const run = getWorkflowRun(doc);
  if (run?.status !== 'running') return 'idle';
  if (run.stopRequested) {
    // Stopped while its driver was gone: honour the stop instead of resuming.
    markWorkflowRunStatus(doc, 'stopped', deps.space);
    return 'idle';
  }
  const parent = await readParentMeta(deps.store, run.sessionId);
  const inFlight = new Map<string, string>();
  for (const agent of run.agents) {
    const child = run.activity[agent.id]?.childSessionId;
    if (agent.status === 'running' && child && agent.attempts <= 1) inFlight.set(agent.prompt, child);
  }
  try {
    await runInWorker(deps, doc, run, parent, inFlight, lost);
  } catch (error) {
    if (lost.aborted) return 'finished';
    // The run cannot even start here (a chunk failed to load, no Worker): say so, do not retry forever.
    const message = error instanceof Error ? error.message : String(error);
    await new YDocRunStore(doc).appendLog({ at: Date.now(), level: 'warn', message });
    markWorkflowRunStatus(doc, 'failed', deps.space);
  }
  return 'finished';
}

/** The run's store, fenced: once the lease is lost, nothing more is written (the new driver owns the doc). */
function fencedStore(store: RunStore, lost: AbortSignalLike): RunStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (lost.aborted && prop !== 'getCachedResult') return Promise.resolve(undefined);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function runInWorker(
  deps: RunDriverDeps,
  doc: Y.Doc,
  run: WorkflowRunView,
  parent: SessionMeta | undefined,
  inFlight: Map<string, string>,
  lost: AbortSignalLike,
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
  const agents = createBrowserAgentHost({
    db: deps.db,
    store: deps.store,
    space: deps.space,
    runDoc: doc,
    sessionId: run.sessionId,
    workflowName: run.workflowName,
    model: parent?.model,
    provider: parent?.provider,
    inFlight,
  });
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
      agents,
      store: fencedStore(new YDocRunStore(doc, { space: deps.space, openRunDoc }), lost),
      onEvent: () => {},
      resolveWorkflow,
    },
  );
  driving.set(runId, worker);
  changed();
  // Another driver took the run over (it judged this tab gone): let go at once, writing nothing more (the
  // store is fenced; the agents' engines let go of their sessions' turns for the new driver to resume).
  lost.addEventListener('abort', () => {
    agents.abandon();
    worker.stop();
  });
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
    markWorkflowRunStatus(doc, 'running', deps.space);
  });
  return driveRun(deps, runId);
}
