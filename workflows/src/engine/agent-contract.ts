// The contract between the workflow engine and whatever runs one agent (the agent engine in the
// app, a scripted fake in tests, an echo or HTTP model in the headless command).
import type { AgentOptions } from '@boocode/shared/workflow/run-record';

export interface AgentRunSpec {
  runId: string;
  /** Stable within an attempt: `agent-<start index>`. */
  agentId: string;
  /** The prompt to send; on a schema re-ask it carries the validation error. */
  prompt: string;
  /** As the script gave them (label, phase, model, schema, tools, anything else). */
  options: AgentOptions;
  /** 1 for the first ask, 2+ for schema re-asks. */
  attempt: number;
  /** Set when the agent belongs to a workflow inlined with workflow(name). */
  workflow?: string;
}

export interface AgentReply {
  /** The agent's final answer. */
  text: string;
  usage: { tokens: number };
  childSessionId?: string;
}

/**
 * Runs one agent to its end. Resolves null when the agent was stopped (`signal` aborted) or
 * died on a terminal error; a rejection counts the same as null (the error is logged).
 */
export type RunAgent = (spec: AgentRunSpec, signal: AbortSignal) => Promise<AgentReply | null>;
