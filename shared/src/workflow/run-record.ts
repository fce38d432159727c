// Shapes of a workflow run that cross boundaries (engine <-> worker <-> run doc <-> UI).
// One zod schema each; the TypeScript type is inferred from it.
import { z } from 'zod';

const jsonValue: z.ZodType<unknown> = z.json();

/** `export const meta = {...}`: loose so Claude Code scripts with extra keys still load. */
export const WorkflowMeta = z.looseObject({
  name: z.string().min(1),
  description: z.string(),
  phases: z.array(z.union([z.string(), z.looseObject({ title: z.string() })])).optional(),
  whenToUse: z.string().optional(),
});
export type WorkflowMeta = z.infer<typeof WorkflowMeta>;

/** `agent(prompt, opts)` options. Unknown keys are kept: they go to the agent and into the spec hash. */
export const AgentOptions = z.looseObject({
  label: z.string().optional(),
  phase: z.string().optional(),
  model: z.string().optional(),
  schema: z.looseObject({ type: z.literal('object') }).optional(),
  tools: z.array(z.string()).optional(),
});
export type AgentOptions = z.infer<typeof AgentOptions>;

export const AgentStatus = z.enum(['queued', 'running', 'done', 'stopped', 'failed']);
export type AgentStatus = z.infer<typeof AgentStatus>;

export const AgentUsage = z.object({ tokens: z.number().nonnegative() });
export type AgentUsage = z.infer<typeof AgentUsage>;

/** One `agent()` call of a run, in start order (`index`). */
export const AgentEntry = z.object({
  id: z.string(),
  index: z.number().int().nonnegative(),
  specHash: z.string(),
  prompt: z.string(),
  label: z.string().optional(),
  phase: z.string().optional(),
  model: z.string().optional(),
  /** Name of the inlined workflow this agent belongs to, when it is not the top-level script's. */
  workflow: z.string().optional(),
  status: AgentStatus,
  /** True when the result came from the spec-hash cache (then usage.tokens is 0). */
  cached: z.boolean(),
  result: jsonValue.optional(),
  error: z.string().optional(),
  usage: AgentUsage,
  /** Times the agent was asked (schema re-asks add to it). */
  attempts: z.number().int().nonnegative(),
  childSessionId: z.string().optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
});
export type AgentEntry = z.infer<typeof AgentEntry>;

/** A completed agent result, reusable by any later call with the same spec hash. */
export const CachedAgentResult = z.object({
  specHash: z.string(),
  result: jsonValue,
  /** Tokens the original execution cost (a reuse costs zero). */
  tokens: z.number().nonnegative(),
  childSessionId: z.string().optional(),
});
export type CachedAgentResult = z.infer<typeof CachedAgentResult>;

export const LogLine = z.object({ at: z.number(), level: z.enum(['info', 'warn']), message: z.string() });
export type LogLine = z.infer<typeof LogLine>;

export const RunStatus = z.enum(['running', 'completed', 'failed', 'stopped']);
export type RunStatus = z.infer<typeof RunStatus>;

export const WorkflowErrorCode = z.enum([
  'SYNTAX_ERROR',
  'TYPESCRIPT_SYNTAX',
  'IMPORT_REFUSED',
  'REQUIRE_REFUSED',
  'META_INVALID',
  'SCRIPT_ERROR',
  'CPU_LIMIT',
  'MEMORY_LIMIT',
  'WALL_CLOCK_LIMIT',
  /** The QuickJS wasm could not be loaded (offline without it cached, a bad deploy). */
  'SANDBOX_UNAVAILABLE',
  /** The workflow to run was not found (the headless command: before the run starts). */
  'WORKFLOW_NOT_FOUND',
  /** The headless command was called wrongly (flags, --args that are not JSON, a --resume that does not match). */
  'USAGE',
]);
export type WorkflowErrorCode = z.infer<typeof WorkflowErrorCode>;

export const RunError = z.object({ code: WorkflowErrorCode, message: z.string() });
export type RunError = z.infer<typeof RunError>;

/** Which stored results a (re-)run may reuse. */
export const CacheRule = z.enum([
  /** Any agent whose spec hash has a completed result (BooCode's default). */
  'spec-hash',
  /** Claude Code's rule: only the longest prefix, in start order, that is unchanged since the last attempt. */
  'prefix',
]);
export type CacheRule = z.infer<typeof CacheRule>;

export const RunOutcome = z.object({
  status: z.enum(['completed', 'failed', 'stopped']),
  result: jsonValue.optional(),
  error: RunError.optional(),
  /** Tokens spent by this attempt (cached agents cost nothing). */
  tokens: z.number().nonnegative(),
  agents: z.object({ started: z.number(), executed: z.number(), cached: z.number() }),
});
export type RunOutcome = z.infer<typeof RunOutcome>;

/** What a run store is told when an attempt starts (a first run, a re-run or a resume). */
export const RunStart = z.object({
  runId: z.string(),
  scriptHash: z.string(),
  meta: WorkflowMeta,
  /** Absent when the run was started without args (the script then sees `args === undefined`). */
  args: jsonValue.optional(),
  cacheRule: CacheRule,
  budgetTotal: z.number().nullable(),
  startedAt: z.number(),
});
export type RunStart = z.infer<typeof RunStart>;

/** Progress events, in the order they happen; the UI can rebuild the progress tree from them. */
export const WorkflowEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run-start'), run: RunStart }),
  z.object({ type: z.literal('phase'), title: z.string() }),
  z.object({ type: z.literal('log'), line: LogLine }),
  z.object({ type: z.literal('agent-start'), agent: AgentEntry }),
  /** Queued -> running, or another schema re-ask. */
  z.object({ type: z.literal('agent-update'), agent: AgentEntry }),
  z.object({ type: z.literal('agent-end'), agent: AgentEntry }),
  z.object({ type: z.literal('budget'), spent: z.number(), total: z.number().nullable() }),
  z.object({ type: z.literal('run-end'), outcome: RunOutcome }),
]);
export type WorkflowEvent = z.infer<typeof WorkflowEvent>;
