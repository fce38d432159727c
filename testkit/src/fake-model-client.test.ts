import { isModelError } from '@boocode/shared/model/model-error';
import { describe, expect, it } from 'vitest';
import { createFakeModelClient } from './fake-model-client.ts';

async function collect(iter: AsyncIterable<{ type: string }>) {
  const events = [];
  for await (const e of iter) events.push(e);
  return events;
}

describe('fake ModelClient', () => {
  it('streams the scripted text in chunks, then usage and finish, and records the request', async () => {
    const model = createFakeModelClient([{ text: 'hello world', chunkChars: 5 }]);
    const events = await collect(model.stream({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }));
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'text-delta', 'usage', 'finish']);
    expect(model.requests[0]?.messages[0]).toEqual({ role: 'user', content: 'hi' });
  });

  it('holds a call until released, and cuts a stream where the script says', async () => {
    const model = createFakeModelClient([{ text: 'abcdefgh', chunkChars: 2, cutAfterChunks: 2, hold: true }]);
    let settled = false;
    const run = collect(model.stream({ model: 'm', messages: [] })).then(
      () => 'ok',
      (e: unknown) => (isModelError(e) ? e.code : 'other'),
    );
    void run.then(() => {
      settled = true;
    });
    await model.waitForCalls(1);
    expect(settled).toBe(false);
    model.release(0);
    expect(await run).toBe('stream-cut');
  });
});
