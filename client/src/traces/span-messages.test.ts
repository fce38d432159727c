import type { Message, Span } from '@boocode/shared/doc/session-schema';
import { describe, expect, it } from 'vitest';
import { requestMessages } from './span-messages.ts';

const msg = (id: string, role: Message['role']): Message =>
  ({ id, role, createdAt: 0, turn: 1, status: 'done', text: id, reasoning: '' }) as Message;
const model = (messageId?: string): Span =>
  ({
    id: 'spn',
    kind: 'model',
    name: 'm',
    turn: 1,
    startedAt: 0,
    status: 'ok',
    ...(messageId ? { messageId } : {}),
  }) as Span;

describe('requestMessages', () => {
  const messages = [
    msg('u1', 'user'),
    msg('a1', 'assistant'),
    msg('t1', 'tool'),
    msg('a2', 'assistant'),
    msg('u2', 'user'),
  ];

  it('lists what the call was sent: every message before the answer it wrote', () => {
    expect(requestMessages(messages, model('a2')).map((m) => m.id)).toEqual(['u1', 'a1', 't1']);
    expect(requestMessages(messages, model('a1')).map((m) => m.id)).toEqual(['u1']);
  });

  it('lists nothing for a call that names no message here, or for a tool call', () => {
    expect(requestMessages(messages, model())).toEqual([]);
    expect(requestMessages(messages, model('gone'))).toEqual([]);
    expect(requestMessages(messages, { ...model('a2'), kind: 'tool' })).toEqual([]);
  });
});
