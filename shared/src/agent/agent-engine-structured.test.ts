// A turn with an output schema, as the engine asks for it in each mode and records the answer: the request's
// response_format or forced respond call, the schema in words on the user message, and a respond call's
// arguments streaming into the answer text (so a watcher sees it form) and becoming the answer, never a tool run.
import { listMessages } from '@boocode/shared/doc/session';
import { makeEngine, newSessionDoc, waitForDoc } from '@boocode/testkit/engine-harness';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const schema = { type: 'object', properties: { verdict: { type: 'string' } }, required: ['verdict'] };
const ANSWER = { verdict: 'the loop skips the last reading, so the change is not ready to merge yet' };
let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel({
    scenarios: [
      {
        name: 'structured',
        rules: [{ match: {}, response: { json: ANSWER, text: 'I think it is fine.', chunkChars: 6, delayMs: 15 } }],
      },
    ],
  });
});
afterAll(() => model.close());
beforeEach(() => model.reset());

const lastBody = () =>
  model
    .requests()
    .filter((r) => r.path.endsWith('/chat/completions'))
    .at(-1)?.body as Record<string, unknown>;

describe('a turn with an output schema', () => {
  it('tool: forces a respond call whose arguments stream into the answer and become it', async () => {
    const doc = newSessionDoc();
    const engine = makeEngine(doc, model, { config: { structuredOutput: 'tool' } });
    const running = engine.runTurn({ text: 'Review it.', output: { schema } });
    // Mid-stream the answer text already shows the arguments as they arrive.
    await waitForDoc(doc, (d) => {
      const a = listMessages(d)[1];
      return a?.status === 'streaming' && a.text.startsWith('{"verdict":"the loop');
    });
    expect((await running).outcome).toBe('ok');
    const answer = listMessages(doc)[1]!;
    expect(JSON.parse(answer.text)).toEqual(ANSWER);
    expect(answer.toolCalls).toBeUndefined();
    expect(listMessages(doc)).toHaveLength(2);
    expect(lastBody()).toMatchObject({ tool_choice: { type: 'function', function: { name: 'respond' } } });
  });

  it('json_schema: asks with response_format and leaves the prompt as the user wrote it', async () => {
    const doc = newSessionDoc();
    await makeEngine(doc, model, { modelId: 'scripted-openai', config: { structuredOutput: 'json_schema' } }).runTurn({
      text: 'Review it.',
      output: { schema, name: 'review' },
    });
    expect(listMessages(doc)[0]?.text).toBe('Review it.');
    expect(lastBody()).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'review', schema } },
    });
    expect(JSON.parse(listMessages(doc)[1]!.text)).toEqual(ANSWER);
  });

  it('words: the schema is written into the user message the model (and the user) sees', async () => {
    const doc = newSessionDoc();
    await makeEngine(doc, model, { config: { structuredOutput: 'words' } }).runTurn({
      text: 'Review it.',
      output: { schema },
    });
    expect(listMessages(doc)[0]?.text).toBe(
      `Review it.\n\nReply with only a JSON object matching this JSON Schema, no prose: ${JSON.stringify(schema)}`,
    );
    expect(listMessages(doc)[0]?.output).toEqual({ schema });
    expect(lastBody().response_format).toBeUndefined();
    expect(listMessages(doc)[1]?.text).toBe('I think it is fine.');
  });
});
