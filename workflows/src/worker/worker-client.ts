// Page side of the workflow worker: one dedicated worker per run, so a run that hangs past its
// wall-clock limit (plus a grace period) can be ended by terminating its worker without touching
// other runs. The engine inside enforces the same limit itself; this is the backstop for a worker
// that no longer answers.
import type { RunOutcome, WorkflowEvent } from '@boocode/shared/workflow/run-record';
import { proxy, type Remote, releaseProxy, wrap } from 'comlink';
import type { RunStore } from '../engine/run-store.ts';
import { DEFAULT_LIMITS } from '../engine/run-workflow.ts';
import type { FoundWorkflow } from '../engine/workflow-resolver.ts';
import type { AgentHost, WorkflowRunRequest, WorkflowWorkerApi } from './workflow-worker-api.ts';

export interface WorkerRunOptions {
  request: WorkflowRunRequest;
  agents: AgentHost;
  store: RunStore;
  onEvent: (event: WorkflowEvent) => void;
  /** workflow(name): see engine/workflow-resolver.ts (a tab builds one over the runner's listing). */
  resolveWorkflow?: (name: string) => Promise<FoundWorkflow | string | undefined>;
  /** Extra time the engine gets to end the run itself before its worker is terminated. */
  graceMs?: number;
}

export interface WorkerRunHandle {
  outcome: Promise<RunOutcome>;
  stop(): void;
  stopAgent(agentId: string): void;
}

/** `createWorker` is e.g. `() => new Worker(new URL('@boocode/workflows/worker', import.meta.url), { type: 'module' })`. */
export function runWorkflowInWorker(createWorker: () => Worker, options: WorkerRunOptions): WorkerRunHandle {
  const worker = createWorker();
  const api: Remote<WorkflowWorkerApi> = wrap<WorkflowWorkerApi>(worker);
  const { request } = options;
  const wallClockMs = (request.limits?.wallClockMs ?? DEFAULT_LIMITS.wallClockMs) + (options.graceMs ?? 5000);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<RunOutcome>((resolve) => {
    timer = setTimeout(() => {
      worker.terminate();
      const outcome: RunOutcome = {
        status: 'failed',
        error: {
          code: 'WALL_CLOCK_LIMIT',
          message: `The run did not end within ${wallClockMs} ms; its worker was terminated.`,
        },
        tokens: 0,
        agents: { started: 0, executed: 0, cached: 0 },
      };
      // The worker cannot record its own end any more.
      void options.store.finishAttempt(outcome).catch(() => {});
      options.onEvent({ type: 'run-end', outcome });
      resolve(outcome);
    }, wallClockMs);
  });
  const finished = api.run(
    request,
    proxy(options.agents),
    proxy(options.store),
    proxy(options.onEvent),
    options.resolveWorkflow ? proxy(options.resolveWorkflow) : undefined,
  );
  let ended = false;
  const outcome = Promise.race([finished, hung]).finally(() => {
    ended = true;
    clearTimeout(timer);
    api[releaseProxy]();
    worker.terminate();
  });
  // After the end the proxy is released (using it would throw) and there is nothing to stop.
  return {
    outcome,
    stop: () => {
      if (!ended) void api.stop(request.runId);
    },
    stopAgent: (agentId) => {
      if (!ended) void api.stopAgent(request.runId, agentId);
    },
  };
}
