// Retry and Regenerate ask a turn's prompt again as a new turn: the old turn (its answer, tool calls and
// results) is kept to flip back to but never sent to the model; flipping back makes it the history again.
import { FakeTools, makeEngine, newSessionDoc, startTestModel } from '@boocode/testkit/engine-harness';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alternativeGroups, chooseAlternative } from '../doc/alternatives.ts';
import { getRunState, listMessages } from '../doc/session.ts';
import { queueTurn } from './agent-engine.ts';
import { realClock } from './engine-deps.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startTestModel();
});
afterAll(() => model.close());
beforeEach(() => model.reset());

type Sent = { role: string; content: unknown; tool_calls?: unknown[] };
function lastSent(): Sent[] {
  const body = model
    .requests()
    .filter((r) => r.path.endsWith('/chat/completions'))
    .at(-1)?.body as { messages: Sent[] };
  return body.messages.filter((m) => m.role !== 'system');
}

describe('asking a turn again', () => {
  it('leaves the replaced turn and its tool calls out of the request, and keeps it as an alternative', async () => {
    const doc = newSessionDoc();
    const engine = makeEngine(doc, model, { tools: new FakeTools() });
    await engine.runTurn({ text: 'read then finish' });
    expect(lastSent().filter((m) => m.role === 'tool')).toHaveLength(1);

    const result = await engine.runTurn({ text: 'read then finish', replaces: 1 });
    expect(result.outcome).toBe('ok');
    // Every request of the new turn: one user message, only the new turn's own tool round.
    const sent = lastSent();
    expect(sent.filter((m) => m.role === 'user')).toHaveLength(1);
    expect(sent.filter((m) => m.role === 'tool')).toHaveLength(1);
    const messages = listMessages(doc);
    expect(messages.filter((m) => m.turn === 1).every((m) => m.superseded)).toBe(true);
    expect(messages.filter((m) => m.turn === 2).some((m) => m.superseded)).toBe(false);
    expect(messages.find((m) => m.role === 'user' && m.turn === 2)?.alternativeOf).toBe(1);
    expect(alternativeGroups(messages).get(1)).toEqual({ group: 1, turns: [1, 2], current: 2 });
  });

  it('a third try joins the same group, and flipping back makes the old answer the history', async () => {
    const doc = newSessionDoc();
    const engine = makeEngine(doc, model);
    await engine.runTurn({ text: 'hello' });
    await engine.runTurn({ text: 'hello', replaces: 1 });
    await engine.runTurn({ text: 'hello', replaces: 2 });
    expect(alternativeGroups(listMessages(doc)).get(1)).toEqual({ group: 1, turns: [1, 2, 3], current: 3 });

    chooseAlternative(doc, listMessages(doc), 1);
    const messages = listMessages(doc);
    expect(alternativeGroups(messages).get(1)?.current).toBe(1);
    expect(messages.filter((m) => !m.superseded).map((m) => m.turn)).toEqual([1, 1]);
    await engine.runTurn({ text: 'and then?' });
    const sent = lastSent();
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('a turn handed to the host asks again the same way (queueTurn)', () => {
    const doc = newSessionDoc();
    queueTurn(doc, { text: 'first' }, { clock: realClock, newId: (p) => `${p}_1` });
    queueTurn(doc, { text: 'first', replaces: 1 }, { clock: realClock, newId: (p) => `${p}_2` });
    const messages = listMessages(doc);
    expect(getRunState(doc)).toMatchObject({ turn: 2, status: 'queued' });
    expect(messages.map((m) => [m.turn, !!m.superseded, m.alternativeOf])).toEqual([
      [1, true, undefined],
      [2, false, 1],
    ]);
  });
});
