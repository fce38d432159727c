// What a turn needs next, read from the doc alone. The engine asks this before every step, so a fresh run
// and a resume after a crash follow the same path: the recorded messages are the state.
import type { Message, ToolCall } from '../doc/session-schema.ts';

export type NextAction =
  | { kind: 'model' /** An assistant message left streaming by a dead driver, to be re-streamed. */; partial?: Message }
  | { kind: 'tools'; assistant: Message; calls: ToolCall[] }
  | { kind: 'done'; reason: 'answered' | 'error' | 'cancelled' | 'empty' };

export function messagesOfTurn(messages: Message[], turn: number): Message[] {
  return messages.filter((m) => m.turn === turn);
}

export function nextAction(messages: Message[], turn: number): NextAction {
  const ofTurn = messagesOfTurn(messages, turn).filter((m) => m.role !== 'notice');
  if (!ofTurn.length) return { kind: 'done', reason: 'empty' };
  let a = -1;
  for (let i = ofTurn.length - 1; i >= 0; i--)
    if (ofTurn[i]?.role === 'assistant') {
      a = i;
      break;
    }
  if (a < 0) return { kind: 'model' };
  const assistant = ofTurn[a]!;
  if (assistant.status === 'streaming') return { kind: 'model', partial: assistant };
  if (assistant.status === 'error') return { kind: 'done', reason: 'error' };
  if (assistant.status === 'cancelled') return { kind: 'done', reason: 'cancelled' };
  if (assistant.status === 'interrupted') return { kind: 'model' };
  const calls = assistant.toolCalls ?? [];
  if (!calls.length) return { kind: 'done', reason: 'answered' };
  const answered = new Set(
    ofTurn
      .slice(a + 1)
      .filter((m) => m.role === 'tool')
      .map((m) => m.toolCallId),
  );
  const open = calls.filter((c) => !answered.has(c.id));
  return open.length ? { kind: 'tools', assistant, calls: open } : { kind: 'model' };
}

/** Model calls made so far in the turn (one assistant message per call). */
export function stepsTaken(messages: Message[], turn: number): number {
  return messagesOfTurn(messages, turn).filter((m) => m.role === 'assistant' && m.status !== 'interrupted').length;
}
