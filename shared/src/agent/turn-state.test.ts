import { describe, expect, it } from 'vitest';
import type { Message } from '../doc/session-schema.ts';
import { buildChatRequest } from './chat-request.ts';
import { nextAction } from './turn-state.ts';

let n = 0;
const msg = (m: Partial<Message> & Pick<Message, 'role'>): Message => ({
  id: `msg_${n++}`,
  createdAt: n,
  turn: 1,
  status: 'done',
  text: '',
  reasoning: '',
  ...m,
});
const call = (id: string) => ({ id, name: 'read_file', arguments: '{}' });

describe('nextAction reads what a turn needs from the doc alone', () => {
  it('asks for a model call after the user message and after all tool results', () => {
    const user = msg({ role: 'user', text: 'hi' });
    expect(nextAction([user], 1)).toEqual({ kind: 'model' });
    const a = msg({ role: 'assistant', toolCalls: [call('c1'), call('c2')] });
    const r1 = msg({ role: 'tool', toolCallId: 'c1' });
    expect(nextAction([user, a, r1], 1)).toMatchObject({ kind: 'tools', calls: [call('c2')] });
    expect(nextAction([user, a, r1, msg({ role: 'tool', toolCallId: 'c2' })], 1)).toEqual({ kind: 'model' });
  });
  it('re-streams a partial answer, and ends on an answer, an error or a cancel', () => {
    const user = msg({ role: 'user' });
    const partial = msg({ role: 'assistant', status: 'streaming', text: 'hal' });
    expect(nextAction([user, partial], 1)).toEqual({ kind: 'model', partial });
    expect(nextAction([user, msg({ role: 'assistant', text: 'ok' })], 1)).toEqual({ kind: 'done', reason: 'answered' });
    expect(nextAction([user, msg({ role: 'assistant', status: 'error' })], 1)).toMatchObject({ reason: 'error' });
    expect(nextAction([user, msg({ role: 'assistant', status: 'cancelled' })], 1)).toMatchObject({
      reason: 'cancelled',
    });
    expect(nextAction([user], 2)).toEqual({ kind: 'done', reason: 'empty' });
  });
});

describe('buildChatRequest', () => {
  it('marks a stopped answer incomplete, leaves out an interrupted one, notices and tool calls without results', () => {
    const messages = [
      msg({ role: 'user', text: 'q1' }),
      msg({ role: 'assistant', status: 'cancelled', text: 'partial', toolCalls: [call('c1'), call('c2')] }),
      msg({ role: 'tool', toolCallId: 'c1', text: 'r1' }),
      msg({ role: 'notice', text: 'stopped' }),
      msg({ role: 'user', text: 'q2', turn: 2 }),
      msg({ role: 'assistant', status: 'interrupted', text: 'half', turn: 2 }),
    ];
    const req = buildChatRequest(messages, { model: 'm', systemPrompt: 'sys' });
    expect(req.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'q1' },
      {
        role: 'assistant',
        content: 'partial\n\n[This answer is incomplete: the user stopped it here.]',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{}' } }],
      },
      { role: 'tool', content: 'r1', tool_call_id: 'c1' },
      { role: 'user', content: 'q2' },
    ]);
    expect(req.tools).toBeUndefined();
  });
});
