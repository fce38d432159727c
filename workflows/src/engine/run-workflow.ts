// Runs a workflow script: checks it, runs it in the QuickJS sandbox with the agent scheduler
// behind its API, and enforces the run-wide limits (wall clock, stop). Works the same under
// Node and in a Web Worker; storage, agents and the clock are injected.
import { newId } from '@boocode/shared/ids';
import type {
  CacheRule,
  RunError,
  RunOutcome,
  RunStart,
  WorkflowEvent,
  WorkflowMeta,
} from '@boocode/shared/workflow/run-record';
import { sha256Hex } from '@boocode/shared/workflow/spec-hash';
import { type BoundedQuickJS, loadQuickJS, type QuickJSModules } from '../sandbox/quickjs-module.ts';
import { DEFAULT_SANDBOX_LIMITS, runInSandbox, type SandboxHost, type SandboxLimits } from '../sandbox/sandbox.ts';
import { checkScript } from '../script/check-script.ts';
import type { RunAgent } from './agent-contract.ts';
import { AgentScheduler } from './agent-scheduler.ts';
import { RunRecorder } from './run-recorder.ts';
import { MemoryRunStore, type RunStore } from './run-store.ts';
import { WorkflowError } from './workflow-error.ts';
import { assertNoCycle, describePlace, type FoundWorkflow } from './workflow-resolver.ts';

export interface WorkflowLimits {
  /** Agents running at once (the browser default is 4). */
  maxConcurrentAgents: number;
  /** agent() calls per run, cached ones included. */
  maxAgents: number;
  /** Token ceiling for the attempt; null for none. */
  budgetTokens: number | null;
  /** Total asks for a schema-bound agent before agent() throws. */
  schemaAttempts: number;
  /** The whole run, awaits included (the QuickJS interrupt cannot see time spent awaiting). */
  wallClockMs: number;
  sandbox: SandboxLimits;
}

export const DEFAULT_LIMITS: WorkflowLimits = {
  maxConcurrentAgents: 4,
  maxAgents: 1000,
  budgetTokens: null,
  // Claude Code's MAX_STRUCTURED_OUTPUT_RETRIES default.
  schemaAttempts: 5,
  wallClockMs: 60 * 60 * 1000,
  sandbox: DEFAULT_SANDBOX_LIMITS,
};

export type WorkflowLimitsInput = Partial<Omit<WorkflowLimits, 'sandbox'>> & { sandbox?: Partial<SandboxLimits> };

/**
 * Finds another workflow's source by name, for workflow(name, args). Build one with
 * createWorkflowResolver (./workflow-resolver.ts): it searches the places in order and throws, in
 * words, where it looked. A bare string result (or undefined) is still accepted.
 */
export type ResolveWorkflow = (
  name: string,
) => Promise<FoundWorkflow | string | undefined> | FoundWorkflow | string | undefined;

export interface StartWorkflowOptions {
  source: string;
  /** The run's input, given to the script as `args` (verbatim JSON; undefined when omitted, as in Claude Code). */
  args?: unknown;
  runAgent: RunAgent;
  /** Where progress and results are kept; reuse one to re-run or resume. */
  store?: RunStore;
  runId?: string;
  onEvent?: (event: WorkflowEvent) => void;
  resolveWorkflow?: ResolveWorkflow;
  limits?: WorkflowLimitsInput;
  cacheRule?: CacheRule;
  /** Where the run's bounded QuickJS module comes from; the shared pool when absent. */
  quickjs?: QuickJSModules;
  now?: () => number;
}

export interface WorkflowRun {
  runId: string;
  outcome: Promise<RunOutcome>;
  /** Stop the whole run: agents are stopped, the script is dropped, the outcome is 'stopped'. */
  stop(): void;
  /** Stop one agent; its agent() call resolves null. False if it is not queued or running. */
  stopAgent(agentId: string): boolean;
}

const STOPPED = Symbol('stopped');

export function startWorkflow(options: StartWorkflowOptions): WorkflowRun {
  const runId = options.runId ?? newId('wfr');
  const controller = new AbortController();
  let scheduler: AgentScheduler | undefined;
  const outcome = execute(options, runId, controller.signal, (s) => {
    scheduler = s;
  });
  return {
    runId,
    outcome,
    stop: () => controller.abort(STOPPED),
    stopAgent: (agentId) => scheduler?.stopAgent(agentId) ?? false,
  };
}

export function runWorkflow(options: StartWorkflowOptions): Promise<RunOutcome> {
  return startWorkflow(options).outcome;
}

/** Check a script without running it: its meta, or the error that would stop it. */
export function inspectWorkflow(source: string): { ok: true; meta: WorkflowMeta } | { ok: false; error: RunError } {
  try {
    return { ok: true, meta: checkScript(source).meta };
  } catch (error) {
    if (error instanceof WorkflowError) return { ok: false, error: error.toRunError() };
    throw error;
  }
}

function resolveLimits(input: WorkflowLimitsInput | undefined): WorkflowLimits {
  return { ...DEFAULT_LIMITS, ...input, sandbox: { ...DEFAULT_LIMITS.sandbox, ...input?.sandbox } };
}

async function execute(
  options: StartWorkflowOptions,
  runId: string,
  stopSignal: AbortSignal,
  expose: (scheduler: AgentScheduler) => void,
): Promise<RunOutcome> {
  const emit = options.onEvent ?? (() => {});
  const empty = { tokens: 0, agents: { started: 0, executed: 0, cached: 0 } };
  let checked: ReturnType<typeof checkScript>;
  try {
    checked = checkScript(options.source);
  } catch (error) {
    // Refused before the run starts: nothing is recorded, nothing ran.
    const failed: RunOutcome = { status: 'failed', error: toRunError(error), ...empty };
    emit({ type: 'run-end', outcome: failed });
    return failed;
  }
  const limits = resolveLimits(options.limits);
  const now = options.now ?? (() => Date.now());
  const store = options.store ?? new MemoryRunStore();
  const cacheRule = options.cacheRule ?? 'spec-hash';
  const args = options.args;
  const run: RunStart = {
    runId,
    scriptHash: await sha256Hex(options.source),
    meta: checked.meta,
    args,
    cacheRule,
    budgetTotal: limits.budgetTokens,
    startedAt: now(),
  };
  const { priorStartOrder } = await store.startAttempt(run);
  emit({ type: 'run-start', run });
  const recorder = new RunRecorder(store, emit, now);
  const scheduler = new AgentScheduler({
    runId,
    runAgent: options.runAgent,
    store,
    recorder,
    maxConcurrentAgents: limits.maxConcurrentAgents,
    maxAgents: limits.maxAgents,
    budgetTokens: limits.budgetTokens,
    schemaAttempts: limits.schemaAttempts,
    cacheRule,
    priorStartOrder,
    now,
  });
  expose(scheduler);

  const runSignal = withWallClock(stopSignal, limits.wallClockMs);
  let outcome: RunOutcome;
  const modules = options.quickjs ?? (await loadQuickJS());
  let module: BoundedQuickJS | undefined;
  try {
    module = await acquireSandbox(modules, limits.sandbox.memoryBytes);
    const context: HostContext = { module, scheduler, recorder, limits, signal: runSignal.signal, options };
    const result = await runInSandbox(
      module,
      checked.program,
      makeHost(context, args, [checked.meta.name]),
      limits.sandbox,
      runSignal.signal,
    );
    outcome = { status: 'completed', result, ...totals(scheduler) };
  } catch (error) {
    const stopped = error === STOPPED;
    outcome = stopped
      ? { status: 'stopped', ...totals(scheduler) }
      : { status: 'failed', error: toRunError(error), ...totals(scheduler) };
  } finally {
    runSignal.dispose();
    await scheduler.close();
    // Only now: an inline workflow may still have been tearing down its runtime in this module.
    if (module) modules.release(module);
  }
  if (outcome.error) recorder.log('warn', `${outcome.error.code}: ${outcome.error.message}`);
  await recorder.flush();
  await store.finishAttempt(outcome).catch((error: unknown) => {
    recorder.log('warn', `could not save the run's outcome: ${toRunError(error).message}`);
  });
  emit({ type: 'run-end', outcome });
  return outcome;
}

interface HostContext {
  /** The run's bounded module: inline workflows share it, and so share its memory bound. */
  module: BoundedQuickJS;
  scheduler: AgentScheduler;
  recorder: RunRecorder;
  limits: WorkflowLimits;
  signal: AbortSignal;
  options: StartWorkflowOptions;
}

/**
 * The functions one script or one inlined workflow can call. `chain` names the workflows running,
 * outermost first (the top-level script by its meta name): its length is the nesting depth + 1.
 */
function makeHost(context: HostContext, args: unknown, chain: readonly string[], workflowName?: string): SandboxHost {
  const { scheduler, recorder } = context;
  let currentPhase: string | undefined;
  const prefix = workflowName ? `${workflowName}: ` : '';
  return {
    args: args === undefined ? undefined : JSON.stringify(args),
    agent: async (prompt, optionsJson) => {
      const value = await scheduler.call(prompt, optionsJson, { phase: currentPhase, workflow: workflowName });
      return JSON.stringify(value ?? null);
    },
    workflow: (name, argsJson) => runInline(context, chain, name, argsJson === '' ? undefined : JSON.parse(argsJson)),
    phase: (title) => {
      currentPhase = prefix + title;
      recorder.phase(currentPhase);
    },
    log: (message) => recorder.log('info', prefix + message),
    warn: (message) => recorder.log('warn', prefix + message),
    budgetTotal: () => context.limits.budgetTokens,
    budgetSpent: () => scheduler.spent,
  };
}

/** workflow(name, args): the named script runs inline, sharing this run's agents, budget and limits. */
async function runInline(context: HostContext, chain: readonly string[], name: string, args: unknown): Promise<string> {
  // The cycle first: "A → B → A" says more than the depth rule would.
  assertNoCycle(chain, name);
  if (chain.length >= 2) {
    throw new Error(
      `workflow("${name}"): workflows run inline only one level deep; an inlined workflow cannot call workflow()`,
    );
  }
  const found = await context.options.resolveWorkflow?.(name);
  if (found === undefined) throw new Error(`workflow("${name}"): no workflow with that name`);
  const source = typeof found === 'string' ? found : found.source;
  let program: string;
  try {
    program = checkScript(source).program;
  } catch (error) {
    throw new Error(`workflow("${name}"): ${toRunError(error).message}`);
  }
  const from = typeof found === 'string' ? '' : ` (from ${describePlace(found.place)})`;
  context.recorder.log('info', `workflow ${name} starts${from}`);
  const host = makeHost(context, args, [...chain, name], name);
  try {
    const value = await runInSandbox(context.module, program, host, context.limits.sandbox, context.signal);
    return JSON.stringify(value ?? null);
  } catch (error) {
    // A stop or the wall clock ends the whole run, not just the inlined workflow.
    if (context.signal.aborted) throw error;
    throw new Error(`workflow("${name}") failed: ${toRunError(error).message}`);
  }
}

async function acquireSandbox(modules: QuickJSModules, memoryBytes: number): Promise<BoundedQuickJS> {
  try {
    return await modules.acquire(memoryBytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WorkflowError(
      'SANDBOX_UNAVAILABLE',
      `The workflow engine (QuickJS wasm) could not be loaded: ${message}`,
    );
  }
}

function withWallClock(stop: AbortSignal, wallClockMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onStop = () => controller.abort(stop.reason);
  if (stop.aborted) onStop();
  stop.addEventListener('abort', onStop, { once: true });
  const timer = setTimeout(() => {
    controller.abort(
      new WorkflowError(
        'WALL_CLOCK_LIMIT',
        `The run took longer than ${wallClockMs} ms (the wall-clock limit) and was stopped.`,
      ),
    );
  }, wallClockMs);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    },
  };
}

function totals(scheduler: AgentScheduler): Pick<RunOutcome, 'tokens' | 'agents'> {
  return {
    tokens: scheduler.spent,
    agents: { started: scheduler.started, executed: scheduler.executed, cached: scheduler.cachedCount },
  };
}

function toRunError(error: unknown): RunError {
  if (error instanceof WorkflowError) return error.toRunError();
  return { code: 'SCRIPT_ERROR', message: error instanceof Error ? error.message : String(error) };
}
