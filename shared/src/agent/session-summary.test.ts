// The list's view of a session, read from its doc: last message, model, tokens and cost.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, initSessionMeta, setSessionMeta } from '../doc/session.ts';
import { openSpan } from '../doc/spans.ts';
import { PREVIEW_CHARS, previewOf, sessionSummaryOf } from './session-summary.ts';

function modelSpan(doc: Y.Doc, id: string, prompt: number, completion: number, cost?: number) {
  openSpan(doc, {
    id,
    kind: 'model',
    name: 'chat',
    turn: 1,
    startedAt: 0,
    status: 'ok',
    usage: { reported: true, prompt, completion, reasoning: 0 },
    ...(cost !== undefined ? { cost } : {}),
  });
}

describe('sessionSummaryOf', () => {
  it('takes the last user or assistant text, the model, and sums tokens and cost over model calls', () => {
    const doc = new Y.Doc();
    initSessionMeta(doc, { id: 'ses_1', title: 't', kind: 'chat', createdAt: 0 });
    setSessionMeta(doc, { model: 'deepseek-chat' });
    appendMessage(doc, { id: 'msg_1', role: 'user', turn: 1, createdAt: 1, text: 'Fix the\n  login bug' });
    appendMessage(doc, {
      id: 'msg_2',
      role: 'assistant',
      turn: 1,
      createdAt: 2,
      text: 'Done: the token\nexpires now.',
    });
    appendMessage(doc, { id: 'msg_3', role: 'notice', turn: 1, createdAt: 3, text: 'Auto-fix skipped' });
    modelSpan(doc, 'spn_1', 1000, 200, 0.002);
    modelSpan(doc, 'spn_2', 1500, 100);
    expect(sessionSummaryOf(doc)).toEqual({
      preview: 'Done: the token expires now.',
      model: 'deepseek-chat',
      tokens: 2800,
      cost: 0.002,
    });
  });

  it('previews the answer the user flipped to, not a newer one the pager set aside', () => {
    const doc = new Y.Doc();
    appendMessage(doc, { id: 'msg_1', role: 'user', turn: 1, createdAt: 1, text: 'name it' });
    appendMessage(doc, { id: 'msg_2', role: 'assistant', turn: 1, createdAt: 2, text: 'First answer' });
    appendMessage(doc, { id: 'msg_3', role: 'user', turn: 2, createdAt: 3, text: 'name it', superseded: true });
    appendMessage(doc, { id: 'msg_4', role: 'assistant', turn: 2, createdAt: 4, text: 'Second', superseded: true });
    expect(sessionSummaryOf(doc).preview).toBe('First answer');
  });

  it('says nothing of cost when no call had a price, and has no preview before the first message', () => {
    const doc = new Y.Doc();
    expect(sessionSummaryOf(doc)).toEqual({ tokens: 0 });
  });
});

describe('previewOf', () => {
  it('cuts a long text at a word with an ellipsis', () => {
    const p = previewOf(`${'word '.repeat(60)}end`);
    expect(p.length).toBeLessThanOrEqual(PREVIEW_CHARS + 1);
    expect(p.endsWith('word…')).toBe(true);
  });
});
