// A scripted stand-in for the agent engine: answers come from a function of the spec, every
// call is recorded, and the highest number of agents in flight at once is measured.
import type { AgentReply, AgentRunSpec, RunAgent } from '../src/engine/agent-contract.ts';

export type ScriptedAnswer = string | AgentReply | null;

export interface ScriptedAgent {
  runAgent: RunAgent;
  /** Prompts in call order (re-asks included). */
  prompts: string[];
  specs: AgentRunSpec[];
  maxInFlight: number;
}

export function scriptedAgent(
  answer: (spec: AgentRunSpec) => ScriptedAnswer | Promise<ScriptedAnswer> = (spec) => `answer to ${spec.prompt}`,
  options: {
    delayMs?: number;
    tokens?: number;
    /**
     * Hold every answer until this many agents are in flight at once (then the gate stays open),
     * or 2 s have passed. Makes concurrency measurements independent of machine load: agents that
     * really run concurrently all arrive; agents run one by one never open the gate.
     */
    gate?: number;
    /** Which calls the gate holds (default: all). */
    gateWhen?: (spec: AgentRunSpec) => boolean;
  } = {},
): ScriptedAgent {
  let inFlight = 0;
  const gate = deferred();
  const agent: ScriptedAgent = {
    prompts: [],
    specs: [],
    maxInFlight: 0,
    runAgent: async (spec) => {
      agent.prompts.push(spec.prompt);
      agent.specs.push(spec);
      inFlight++;
      agent.maxInFlight = Math.max(agent.maxInFlight, inFlight);
      if (options.gate !== undefined && inFlight >= options.gate) gate.resolve();
      try {
        if (options.gate !== undefined && (options.gateWhen?.(spec) ?? true)) {
          await Promise.race([gate.promise, new Promise((resolve) => setTimeout(resolve, 2000))]);
        }
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        const reply = await answer(spec);
        if (reply === null || typeof reply !== 'string') return reply;
        return { text: reply, usage: { tokens: options.tokens ?? 10 } };
      } finally {
        inFlight--;
      }
    },
  };
  return agent;
}

/** A promise and its resolver, for agents a test releases by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Wait for a condition without sleeping blindly; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
