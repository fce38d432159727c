// Honest history: a cut or cancelled answer goes back to the model marked as incomplete, an interrupted one
// (its call re-issued) is left out with the reason in the trace, and usage seen before a cut is kept.
import { listMessages } from '@boocode/shared/doc/session';
import { listSpans } from '@boocode/shared/doc/spans';
import { makeEngine, newSessionDoc, waitForDoc } from '@boocode/testkit/engine-harness';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, markMessageIncomplete, setRunState } from '../doc/session.ts';
import { INCOMPLETE_MARKS } from './chat-request.ts';

const STORY = 'Once upon a time there was a very long story that never got to its end.';
let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel({
    scenarios: [
      {
        name: 'history',
        rules: [
          { match: { lastUser: 'tell a story' }, response: { text: STORY, chunkChars: 8, cutAfterChunks: 4 } },
          { match: { lastUser: 'tell it slowly' }, response: { text: STORY, chunkChars: 8, delayMs: 40 } },
          { match: { lastUser: 'count on' }, response: { text: STORY, chunkChars: 8, cutAfterChunks: 5 } },
          // role, 'All said', '.', finish (with DeepSeek's usage on it): all four go out, then the line drops.
          { match: { lastUser: 'finish then drop' }, response: { text: 'All said.', cutAfterChunks: 4 } },
          { match: { lastUser: 'too long' }, response: { text: 'It goes on and', finishReason: 'length' } },
          { match: {}, response: { text: 'noted: {{lastUser}}' } },
        ],
      },
    ],
  });
});
afterAll(() => model.close());
beforeEach(() => model.reset());

/** The messages of the last chat completion the model was sent. */
function lastSent(): Array<{ role: string; content: unknown }> {
  const body = model
    .requests()
    .filter((r) => r.path.endsWith('/chat/completions'))
    .at(-1)?.body as {
    messages: Array<{ role: string; content: unknown }>;
  };
  return body.messages;
}

describe('honest history', () => {
  it('a cut answer is kept, marked incomplete, and sent marked in the next request', async () => {
    const doc = newSessionDoc();
    const engine = makeEngine(doc, model);
    const cut = await engine.runTurn({ text: 'tell a story' });
    expect(cut.outcome).toBe('error');
    const answer = listMessages(doc)[1]!;
    expect(answer.text).toBe(STORY.slice(0, answer.text.length));
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.incomplete).toMatchObject({ reason: 'cut', detail: expect.stringMatching(/cut/) });

    await engine.runTurn({ text: 'go on' });
    expect(lastSent().slice(0, 3)).toEqual([
      { role: 'user', content: 'tell a story' },
      { role: 'assistant', content: `${answer.text}\n\n${INCOMPLETE_MARKS.cut}` },
      { role: 'user', content: 'go on' },
    ]);
    const span = listSpans(doc)
      .filter((s) => s.kind === 'model')
      .at(-1);
    expect((span?.input as { incomplete?: unknown } | undefined)?.incomplete).toEqual([
      { messageId: answer.id, reason: 'cut', sent: 'marked' },
    ]);
  });

  it('a cancelled answer is sent marked as stopped by the user', async () => {
    const doc = newSessionDoc();
    const engine = makeEngine(doc, model);
    const running = engine.runTurn({ text: 'tell it slowly' });
    await waitForDoc(doc, (d) => (listMessages(d)[1]?.text.length ?? 0) >= 16);
    engine.cancel();
    expect((await running).outcome).toBe('cancelled');
    const answer = listMessages(doc)[1]!;
    expect(answer.incomplete?.reason).toBe('cancelled');
    await engine.runTurn({ text: 'why stop' });
    expect(lastSent()[1]).toEqual({ role: 'assistant', content: `${answer.text}\n\n${INCOMPLETE_MARKS.cancelled}` });
  });

  it('an answer whose call is re-issued (interrupted) is left out, and the trace says why', async () => {
    const doc = newSessionDoc();
    appendMessage(doc, { id: 'msg_u1', role: 'user', turn: 1, createdAt: 1, text: 'first' });
    appendMessage(doc, {
      id: 'msg_a1',
      role: 'assistant',
      turn: 1,
      createdAt: 2,
      text: 'half of it',
      status: 'interrupted',
    });
    markMessageIncomplete(doc, 'msg_a1', { reason: 'interrupted', at: 3 });
    appendMessage(doc, { id: 'msg_a2', role: 'assistant', turn: 1, createdAt: 4, text: 'the whole answer' });
    setRunState(doc, { turn: 1 });
    await makeEngine(doc, model).runTurn({ text: 'next' });
    expect(lastSent().map((m) => m.content)).toEqual(['first', 'the whole answer', 'next']);
    const span = listSpans(doc).find((s) => s.kind === 'model');
    expect((span?.input as { incomplete?: unknown } | undefined)?.incomplete).toEqual([
      { messageId: 'msg_a1', reason: 'interrupted', sent: 'left-out' },
    ]);
  });

  it('usage seen before a cut is kept on the span, with its cost', async () => {
    const doc = newSessionDoc();
    await makeEngine(doc, model, { modelId: 'scripted-vllm', config: { provider: 'scripted' } }).runTurn({
      text: 'count on',
    });
    const span = listSpans(doc).find((s) => s.kind === 'model')!;
    expect(span.status).toBe('error');
    expect(span.usage).toMatchObject({ reported: true, prompt: expect.any(Number) });
    expect(span.usage!.completion).toBeGreaterThan(0);
    expect(span.cost).toBeGreaterThan(0);
    expect(span.output).toMatchObject({ partial: true, text: expect.stringMatching(/^Once upon/) });
  });

  it('a stream cut after its finish chunk is a whole answer, with the usage that came on it', async () => {
    const doc = newSessionDoc();
    const result = await makeEngine(doc, model).runTurn({ text: 'finish then drop' });
    expect(result.outcome).toBe('ok');
    expect(listMessages(doc)[1]).toMatchObject({ text: 'All said.', status: 'done' });
    expect(listMessages(doc)[1]?.incomplete).toBeUndefined();
    expect(listSpans(doc)[0]?.usage).toMatchObject({ reported: true, cacheHit: 0 });
  });

  it('an answer stopped at the output limit is marked and says so next time', async () => {
    const doc = newSessionDoc();
    const engine = makeEngine(doc, model);
    await engine.runTurn({ text: 'too long' });
    expect(listMessages(doc)[1]?.incomplete?.reason).toBe('length');
    await engine.runTurn({ text: 'and?' });
    expect(lastSent()[1]).toEqual({ role: 'assistant', content: `It goes on and\n\n${INCOMPLETE_MARKS.length}` });
  });

  it('the marks reach another replica of the session (they are doc state)', async () => {
    const doc = newSessionDoc();
    await makeEngine(doc, model).runTurn({ text: 'tell a story' });
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    expect(listMessages(other)[1]?.incomplete?.reason).toBe('cut');
  });
});
