// How an agent() call becomes one turn of an agent session and back, for any host that runs agents through
// the AgentEngine (the browser's workflow agents, the tests): the turn it sends (the prompt, and a schema as
// the turn's output) and the reply the script gets.
import type { TurnResult } from '@boocode/shared/agent/agent-engine';
import { listMessages } from '@boocode/shared/doc/session';
import type { OutputSpec } from '@boocode/shared/doc/session-schema';
import { listSpans } from '@boocode/shared/doc/spans';
import type * as Y from 'yjs';
import type { AgentReply, AgentRunSpec } from './agent-contract.ts';

/**
 * The turn an agent() call becomes: its prompt, and for a schema-bound agent the schema as the turn's output,
 * which the engine asks for the way the provider honours it (response_format, a forced `respond` call, or in
 * words: shared/src/agent/structured-request.ts).
 */
export function turnInputFor(spec: AgentRunSpec): { text: string; output?: OutputSpec } {
  return spec.options.schema ? { text: spec.prompt, output: { schema: spec.options.schema } } : { text: spec.prompt };
}

/** The answer of the turn that just ended, and what it cost; null when it was stopped. */
export function replyOf(doc: Y.Doc, result: TurnResult | undefined, childSessionId: string): AgentReply | null {
  if (result?.outcome === 'cancelled') return null;
  if (result && result.outcome !== 'ok')
    throw new Error(result.error?.message ?? `the agent's turn ended with ${result.outcome}`);
  const messages = listMessages(doc);
  const turn = result?.turn ?? messages.at(-1)?.turn ?? 0;
  const answer = messages.filter((m) => m.role === 'assistant' && m.turn === turn).at(-1);
  if (!answer) throw new Error('the agent ended its turn without an answer');
  let tokens = 0;
  for (const span of listSpans(doc)) {
    if (span.turn === turn && span.usage) tokens += span.usage.prompt + span.usage.completion;
  }
  return { text: answer.text, usage: { tokens }, childSessionId };
}
