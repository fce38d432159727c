import { FakeTools, makeEngine, newSessionDoc, startTestModel } from '@boocode/testkit/engine-harness';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { getRunState, listMessages } from '../doc/session.ts';
import { listSnapshots, listSpans } from '../doc/spans.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startTestModel();
});
afterAll(() => model.close());
beforeEach(() => model.reset());

function countUpdates(doc: Y.Doc): { count: number } {
  const c = { count: 0 };
  doc.on('update', () => c.count++);
  return c;
}

describe('agent engine: turns against the scripted model', () => {
  it('streams a text answer into the doc in batches, with a closed model span and a snapshot', async () => {
    const doc = newSessionDoc();
    const engine = makeEngine(doc, model);
    const updates = countUpdates(doc);
    const result = await engine.runTurn({ text: 'say hello' });

    expect(result).toEqual({ turn: 1, outcome: 'ok' });
    const msgs = listMessages(doc);
    expect(msgs.map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    expect(msgs[1]?.text).toMatch(/^Hello from the scripted model\..*chunk after chunk\.$/);
    // ~70 two-character chunks: written per token this would be 70+ updates.
    const chunks = Math.ceil(msgs[1]!.text.length / 2);
    expect(updates.count).toBeLessThan(chunks / 3);

    const spans = listSpans(doc);
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span).toMatchObject({ kind: 'model', status: 'ok', turn: 1, messageId: msgs[1]!.id });
    expect(span.endedAt).toBeGreaterThanOrEqual(span.startedAt);
    expect(span.usage).toMatchObject({ reported: true, cacheHit: 0 });
    expect(span.usage!.prompt).toBeGreaterThan(0);
    expect(span.segments?.map((s) => s.kind)).toEqual(['system', 'tools', 'history', 'input']);
    expect(listSnapshots(doc)).toEqual([expect.objectContaining({ turn: 1, outcome: 'ok', messageCount: 2 })]);
    expect(getRunState(doc)).toMatchObject({ status: 'idle', turn: 1 });
  });

  it('runs a multi-step tool loop: each model call and tool call is a span, results go back to the model', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    const result = await makeEngine(doc, model, { tools }).runTurn({ text: 'edit the file' });

    expect(result.outcome).toBe('ok');
    expect(tools.calls.map((c) => [c.name, c.args])).toEqual([
      ['read_file', { path: 'notes.txt' }],
      ['write_file', { path: 'notes.txt', content: 'hello "quoted" world' }],
    ]);
    const msgs = listMessages(doc);
    expect(msgs.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    expect(msgs[1]?.toolCalls?.[0]).toMatchObject({ id: 'call_read', name: 'read_file' });
    expect(msgs[2]).toMatchObject({ toolCallId: 'call_read', text: 'contents of notes.txt' });
    expect(msgs[5]?.text).toBe('Done: wrote 20 bytes to notes.txt');
    const spans = listSpans(doc);
    expect(spans.map((s) => [s.kind, s.name, s.status])).toEqual([
      ['model', 'scripted-deepseek', 'ok'],
      ['tool', 'read_file', 'ok'],
      ['model', 'scripted-deepseek', 'ok'],
      ['tool', 'write_file', 'ok'],
      ['model', 'scripted-deepseek', 'ok'],
    ]);
    expect(spans[1]).toMatchObject({ readOnly: true, toolCallId: 'call_read', input: { path: 'notes.txt' } });
    expect(spans[3]).toMatchObject({ readOnly: false, output: 'wrote 20 bytes to notes.txt' });
    expect(listSnapshots(doc).at(-1)).toMatchObject({ outcome: 'ok', tools: ['read_file', 'write_file'] });
  });

  it('assembles parallel tool calls whose arguments arrive interleaved in pieces', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    await makeEngine(doc, model, { tools }).runTurn({ text: 'read two files' });

    expect(tools.calls.map((c) => [c.id, c.args])).toEqual([
      ['call_a', { path: 'a.txt' }],
      ['call_b', { path: 'b/c.txt' }],
    ]);
    const second = model
      .requests()
      .filter((r) => r.path === '/v1/chat/completions')
      .map((r) => r.body as { messages: Array<{ role: string; tool_call_id?: string }> })
      .find((b) => b.messages.some((m) => m.role === 'tool'));
    expect(second?.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(['call_a', 'call_b']);
    expect(listMessages(doc).at(-1)?.text).toBe('Both read.');
  });

  it('keeps reasoning apart from the answer and counts reasoning tokens', async () => {
    const doc = newSessionDoc();
    await makeEngine(doc, model).runTurn({ text: 'think first' });
    const answer = listMessages(doc)[1]!;
    expect(answer.reasoning).toBe('The user wants me to think. Two plus two is four.');
    expect(answer.text).toBe('The answer is 4.');
    expect(listSpans(doc)[0]?.usage?.reasoning).toBeGreaterThan(0);
  });

  it('normalises usage from DeepSeek and OpenAI shapes, and records none as not reported', async () => {
    const usageFor = async (modelId: string) => {
      const doc = newSessionDoc();
      await makeEngine(doc, model, { modelId }).runTurn({ text: 'think first' });
      return listSpans(doc)[0]?.usage;
    };
    const ds = await usageFor('scripted-deepseek');
    const oa = await usageFor('scripted-openai');
    const none = await usageFor('scripted-no-usage');
    expect(ds).toMatchObject({ reported: true, reasoning: 13 });
    expect(ds!.cacheHit! + ds!.cacheMiss!).toBe(ds!.prompt);
    expect(oa).toMatchObject({ reported: true, reasoning: 13 });
    expect(oa!.cacheHit! + oa!.cacheMiss!).toBe(oa!.prompt);
    expect(none).toMatchObject({ reported: false });
    expect(none!.cacheHit).toBeUndefined();
  });
});
