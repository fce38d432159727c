import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  appendMessage,
  clearMessageIncomplete,
  getMessage,
  incompleteOf,
  listMessages,
  markMessageIncomplete,
} from './session.ts';
import { MessageFieldsSchema } from './session-schema.ts';

describe('incomplete answers in the session doc', () => {
  it('marks an assistant answer partial, keeps the first reason, syncs, and validates with the schema', () => {
    const doc = new Y.Doc();
    appendMessage(doc, { id: 'msg_a', role: 'assistant', turn: 1, createdAt: 1, text: 'Half an ans' });
    markMessageIncomplete(doc, 'msg_a', { reason: 'cut', at: 5, detail: 'The connection dropped.' });
    // A later cancel of the same answer does not rewrite why it is partial.
    markMessageIncomplete(doc, 'msg_a', { reason: 'cancelled', at: 6 });
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const [m] = listMessages(other);
    expect(m && incompleteOf(m)).toEqual({ reason: 'cut', at: 5, detail: 'The connection dropped.' });
    expect(MessageFieldsSchema.parse(m).incomplete?.reason).toBe('cut');
    clearMessageIncomplete(doc, 'msg_a');
    expect(getMessage(doc, 'msg_a')?.incomplete).toBeUndefined();
  });

  it('refuses to mark a message that is not an assistant answer, and an unknown reason fails the schema', () => {
    const doc = new Y.Doc();
    appendMessage(doc, { id: 'msg_u', role: 'user', turn: 1, createdAt: 1, text: 'hi' });
    expect(() => markMessageIncomplete(doc, 'msg_u', { reason: 'cut', at: 1 })).toThrow(/not an assistant/);
    expect(() => markMessageIncomplete(doc, 'msg_x', { reason: 'cut', at: 1 })).toThrow(/no message/);
    expect(
      MessageFieldsSchema.safeParse({ ...listMessages(doc)[0], incomplete: { reason: 'bored', at: 1 } }).success,
    ).toBe(false);
  });
});
