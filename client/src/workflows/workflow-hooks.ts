// React access to workflows: the catalog (built-in + runner), a session's runs (space index), one
// run's doc view, whether this tab drives it, and starting / resuming runs. Reads go through the
// accessors in shared/doc/workflow-run.ts; nothing the user sees lives only in React state.
import { sessionDocName, workflowRunDocName } from '@boocode/shared/doc/names';
import {
  getWorkflowRun,
  initWorkflowRun,
  listWorkflowRuns,
  observeWorkflowRun,
  observeWorkflowRunIndex,
  type WorkflowRunIndexEntry,
  type WorkflowRunLimits,
  type WorkflowRunView,
} from '@boocode/shared/doc/workflow-run';
import { newId } from '@boocode/shared/ids';
import type { CacheRule } from '@boocode/shared/workflow/run-record';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import { useRunnerPairing } from '../chat/chat-hooks.ts';
import { recordTurnModel } from '../chat/prepare-turn.ts';
import { useServices } from '../docs/doc-context.tsx';
import { useDoc, useDocVersion } from '../docs/doc-hooks.ts';
import { judgeLease, presentHosts } from '../docs/lease-seat.ts';
import { driveRun, isDrivenHere, type RunDriverDeps, subscribeDriving } from './run-driver.ts';
import {
  builtInWorkflows,
  type InspectedEntry,
  inspectEntry,
  mergeCatalog,
  runnerWorkflows,
} from './workflow-catalog.ts';

export interface CatalogState {
  entries: InspectedEntry[] | undefined;
  /** Why the runner's workflows are missing, in words (built-ins are still listed). */
  runnerProblem?: string;
}

/** `version`: a change reads the list again (after a save into the project). */
export function useWorkflowCatalog(version = 0): CatalogState {
  const pairing = useRunnerPairing();
  const [state, setState] = useState<CatalogState>({ entries: undefined });
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the signal to read the list again
  useEffect(() => {
    if (pairing === undefined) return;
    const controller = new AbortController();
    const load = async () => {
      let runnerProblem: string | undefined;
      let fromRunner: Awaited<ReturnType<typeof runnerWorkflows>> = [];
      if (pairing) {
        try {
          fromRunner = await runnerWorkflows(pairing, controller.signal);
        } catch (error) {
          runnerProblem = `Project and personal workflows are not listed: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      const entries = await Promise.all(mergeCatalog(builtInWorkflows(), fromRunner).map(inspectEntry));
      if (!controller.signal.aborted) setState({ entries, runnerProblem });
    };
    void load();
    return () => controller.abort();
  }, [pairing, version]);
  return state;
}

export function useRunDriverDeps(): RunDriverDeps {
  const { db, store, space } = useServices();
  return useMemo(() => ({ db, store, space }), [db, store, space]);
}

export function useSessionRuns(sessionId: string): WorkflowRunIndexEntry[] {
  const { space } = useServices();
  const version = useDocVersion(space, observeWorkflowRunIndex);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(() => listWorkflowRuns(space, sessionId), [space, sessionId, version]);
}

export function useWorkflowRun(runId: string): { doc: Y.Doc | undefined; run: WorkflowRunView | undefined } {
  const { doc } = useDoc(workflowRunDocName(runId));
  // useDocVersion catches up on subscribing: a run another device wrote may land before it subscribes.
  const version = useDocVersion(doc, observeWorkflowRun);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  const run = useMemo(() => (doc ? getWorkflowRun(doc) : undefined), [doc, version]);
  return { doc, run };
}

export function useDrivenHere(runId: string): boolean {
  return useSyncExternalStore(subscribeDriving, () => isDrivenHere(runId));
}

/** How often a watching tab checks whether a running workflow lost its driver. */
const TAKEOVER_CHECK_MS = 2000;

/**
 * While the doc says the run is running and its lease is free or abandoned (its driver is gone), this tab
 * takes it over, unless an agent host is connected: the host drives workflow runs then.
 */
export function useRunTakeover(runId: string, running: boolean, doc: Y.Doc | undefined): void {
  const deps = useRunDriverDeps();
  useEffect(() => {
    if (!running) return;
    let live = true;
    const check = async () => {
      if (!live || !doc || isDrivenHere(runId)) return;
      if (presentHosts(deps.store).some((h) => h.drives.includes('workflows'))) return;
      const verdict = await judgeLease(deps.store, workflowRunDocName(runId), doc, 'run');
      if (verdict !== 'free' && verdict !== 'abandoned') return;
      await driveRun(deps, runId).catch((error: unknown) => console.error('workflow run could not resume', error));
    };
    void check();
    const timer = setInterval(() => void check(), TAKEOVER_CHECK_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [deps, runId, running, doc]);
}

/** Re-renders every second while `active`, for elapsed times. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

/** Creates the run doc (indexed for the session) and starts driving it from this tab. */
export async function startRun(
  deps: RunDriverDeps,
  input: {
    sessionId: string;
    workflowName: string;
    source: string;
    args: unknown;
    cacheRule?: CacheRule;
    limits?: WorkflowRunLimits;
  },
): Promise<string> {
  const runId = newId('wfr');
  // With an agent host connected, the host drives the run (it outlives this tab); else this tab does. The host
  // runs the agents with the session's recorded model, so this tab records its choice first, as a message does.
  const toHost =
    presentHosts(deps.store).some((h) => h.drives.includes('workflows')) &&
    (await recordSessionModel(deps, input.sessionId));
  const handle = deps.store.openDoc(workflowRunDocName(runId));
  try {
    await handle.whenLoaded;
    initWorkflowRun(handle.doc, deps.space, {
      runId,
      sessionId: input.sessionId,
      workflowName: input.workflowName,
      source: input.source,
      ...(input.args === undefined ? {} : { args: input.args }),
      ...(input.cacheRule ? { cacheRule: input.cacheRule } : {}),
      ...(input.limits ? { limits: input.limits } : {}),
      createdAt: Date.now(),
    });
  } finally {
    handle.release();
  }
  if (!toHost)
    void driveRun(deps, runId).catch((error: unknown) => console.error('workflow run failed to start', error));
  return runId;
}

/** Records this device's model choice on the session; false (this tab drives, and says why) when it cannot. */
async function recordSessionModel(deps: RunDriverDeps, sessionId: string): Promise<boolean> {
  const session = deps.store.openDoc(sessionDocName(sessionId));
  try {
    await session.whenLoaded;
    await recordTurnModel(deps.db, session.doc);
    return true;
  } catch {
    return false;
  } finally {
    session.release();
  }
}
