// How an agent() call becomes one turn of an agent session and back, for any host that runs agents through
// the AgentEngine (the browser's workflow agents, the tests): the prompt the turn sends (a schema-bound
// first ask says what shape to answer in; re-asks already do) and the reply the script gets.
import type { TurnResult } from '@boocode/shared/agent/agent-engine';
import { listMessages } from '@boocode/shared/doc/session';
import { listSpans } from '@boocode/shared/doc/spans';
import type * as Y from 'yjs';
import type { AgentReply, AgentRunSpec } from './agent-contract.ts';

/** The first ask of a schema-bound agent says what shape to answer in (re-asks already do). */
export function promptFor(spec: AgentRunSpec): string {
  if (!spec.options.schema || spec.attempt > 1) return spec.prompt;
  return `${spec.prompt}\n\nReply with only a JSON object matching this schema: ${JSON.stringify(spec.options.schema)}`;
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
