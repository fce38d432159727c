// The engine as a Comlink API, for a Web Worker (see ../worker.ts). The page keeps the agent
// engine and the run doc; the worker only runs scripts. Everything the worker calls back on the
// page (agents, store, events, workflow lookup) arrives as a Comlink proxy, so it is async.
import type { RunError, RunOutcome, WorkflowEvent, WorkflowMeta } from '@boocode/shared/workflow/run-record';
import type { AgentReply, AgentRunSpec, RunAgent } from '../engine/agent-contract.ts';
import type { RunStore } from '../engine/run-store.ts';
import {
  inspectWorkflow,
  type ResolveWorkflow,
  startWorkflow,
  type WorkflowLimitsInput,
  type WorkflowRun,
} from '../engine/run-workflow.ts';
import type { FoundWorkflow } from '../engine/workflow-resolver.ts';

/** Runs agents on the page, where the agent engine and the runner connection live. */
export interface AgentHost {
  run(spec: AgentRunSpec): Promise<AgentReply | null>;
  /** The engine stopped this agent (stopAgent, stop, or the wall clock): end it; run() should then resolve null. */
  abort(runId: string, agentId: string): void | Promise<void>;
}

export interface WorkflowRunRequest {
  runId: string;
  source: string;
  args?: unknown;
  limits?: WorkflowLimitsInput;
  cacheRule?: 'spec-hash' | 'prefix';
}

export type InspectResult = { ok: true; meta: WorkflowMeta } | { ok: false; error: RunError };

export interface WorkflowWorkerApi {
  /** Check a script and read its meta without running it (no wasm is loaded). */
  inspect(source: string): InspectResult;
  /** Run (or re-run, or resume: same runId and store) a workflow; resolves when it ends. */
  run(
    request: WorkflowRunRequest,
    agents: AgentHost,
    store: RunStore,
    onEvent: (event: WorkflowEvent) => void,
    resolveWorkflow?: (name: string) => Promise<FoundWorkflow | string | undefined>,
  ): Promise<RunOutcome>;
  stop(runId: string): boolean;
  stopAgent(runId: string, agentId: string): boolean;
}

export function createWorkflowWorkerApi(): WorkflowWorkerApi {
  const runs = new Map<string, WorkflowRun>();
  return {
    inspect: (source) => inspectWorkflow(source),
    async run(request, agents, store, onEvent, resolveWorkflow) {
      if (runs.has(request.runId)) throw new Error(`run ${request.runId} is already running in this worker`);
      const run = startWorkflow({
        runId: request.runId,
        source: request.source,
        args: request.args,
        limits: request.limits,
        cacheRule: request.cacheRule,
        runAgent: agentsOnPage(agents),
        store,
        // Fire and forget: a slow page must not hold the script up (events are also in the store).
        onEvent: (event) => reportFailure(onEvent(event), 'progress event'),
        resolveWorkflow: resolveWorkflow as ResolveWorkflow | undefined,
      });
      runs.set(request.runId, run);
      try {
        return await run.outcome;
      } finally {
        runs.delete(request.runId);
      }
    },
    stop(runId) {
      const run = runs.get(runId);
      run?.stop();
      return run !== undefined;
    },
    stopAgent(runId, agentId) {
      return runs.get(runId)?.stopAgent(agentId) ?? false;
    },
  };
}

/** An AbortSignal cannot cross the worker boundary: turn it into an abort() call on the page. */
function agentsOnPage(agents: AgentHost): RunAgent {
  return async (spec, signal) => {
    const onAbort = () => reportFailure(agents.abort(spec.runId, spec.agentId), 'agent abort');
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await agents.run(spec);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
}

/** A call to the page that nobody awaits still must not fail silently. */
function reportFailure(result: unknown, what: string): void {
  Promise.resolve(result).catch((error: unknown) =>
    console.error(`workflow worker: ${what} failed on the page`, error),
  );
}
