import {
  FakeTools,
  makeEngine,
  newSessionDoc,
  recordingClock,
  startTestModel,
  waitForDoc,
} from '@boocode/testkit/engine-harness';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRunState, listMessages } from '../doc/session.ts';
import { listSnapshots, listSpans } from '../doc/spans.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startTestModel();
});
afterAll(() => model.close());
beforeEach(() => model.reset());

const chatRequests = () => model.requests().filter((r) => r.path === '/v1/chat/completions');

describe('agent engine: provider errors', () => {
  it('a 401 is not retried and reads as a key problem on the span and the message', async () => {
    const doc = newSessionDoc();
    const clock = recordingClock();
    const result = await makeEngine(doc, model, { clock }).runTurn({ text: 'bad key' });

    expect(result.outcome).toBe('error');
    expect(result.error?.code).toBe('auth');
    expect(chatRequests()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    const answer = listMessages(doc)[1]!;
    expect(answer.status).toBe('error');
    expect(answer.error?.message).toMatch(/rejected the API key.*Invalid API key/);
    expect(listSpans(doc)).toEqual([
      expect.objectContaining({ status: 'error', error: expect.objectContaining({ code: 'auth' }) }),
    ]);
    expect(listSnapshots(doc).at(-1)?.outcome).toBe('error');
  });

  it('a 429 is retried after its retry-after, recorded as a failed attempt span', async () => {
    const doc = newSessionDoc();
    const clock = recordingClock();
    const result = await makeEngine(doc, model, { clock }).runTurn({ text: 'busy' });

    expect(result.outcome).toBe('ok');
    expect(chatRequests()).toHaveLength(2);
    expect(clock.sleeps).toContain(1000);
    expect(listSpans(doc).map((s) => [s.status, s.error?.code])).toEqual([
      ['error', 'rate-limit'],
      ['ok', undefined],
    ]);
    expect(listSpans(doc)[0]?.error?.message).toMatch(/rate-limiting.*Retrying in 1 s/);
    expect(listMessages(doc).filter((m) => m.role === 'assistant')).toEqual([
      expect.objectContaining({ status: 'done', text: 'Served after the rate limit.' }),
    ]);
  });

  it('a 5xx is retried with backoff, but only a bounded number of times', async () => {
    const flakyDoc = newSessionDoc();
    expect((await makeEngine(flakyDoc, model, { clock: recordingClock() }).runTurn({ text: 'flaky' })).outcome).toBe(
      'ok',
    );

    model.reset();
    const doc = newSessionDoc();
    const result = await makeEngine(doc, model, { clock: recordingClock(), config: { maxRetries: 2 } }).runTurn({
      text: 'always down',
    });
    expect(result).toMatchObject({ outcome: 'error', error: { code: 'server' } });
    expect(chatRequests()).toHaveLength(3);
    expect(listMessages(doc)[1]?.error?.message).toMatch(/server error \(HTTP 500\)/);
  });

  it('a stream cut mid-answer keeps the partial text, is recorded as an error, and is not retried', async () => {
    const doc = newSessionDoc();
    const result = await makeEngine(doc, model, { clock: recordingClock() }).runTurn({ text: 'cut me off' });

    expect(result).toMatchObject({ outcome: 'error', error: { code: 'stream-cut' } });
    expect(chatRequests()).toHaveLength(1);
    const answer = listMessages(doc)[1]!;
    expect(answer.status).toBe('error');
    expect(answer.text.length).toBeGreaterThan(0);
    expect('This answer will be cut off in the middle of a sentence'.startsWith(answer.text)).toBe(true);
    expect(answer.text.length).toBeLessThan(30);
    expect(listSpans(doc)[0]).toMatchObject({ status: 'error', error: { code: 'stream-cut' } });
  });
});

describe('agent engine: cancel and step limit', () => {
  it('cancel stops the stream: the span and the message close as cancelled', async () => {
    const doc = newSessionDoc();
    const controller = new AbortController();
    const engine = makeEngine(doc, model);
    const run = engine.runTurn({ text: 'slow story' }, { signal: controller.signal });
    await waitForDoc(doc, (d) => (listMessages(d)[1]?.text.length ?? 0) > 0);
    controller.abort();
    const result = await run;

    expect(result.outcome).toBe('cancelled');
    const answer = listMessages(doc)[1]!;
    expect(answer.status).toBe('cancelled');
    expect(answer.text.length).toBeLessThan(60);
    expect(listSpans(doc)).toEqual([expect.objectContaining({ kind: 'model', status: 'cancelled' })]);
    expect(listSnapshots(doc).at(-1)?.outcome).toBe('cancelled');
    expect(getRunState(doc).status).toBe('idle');
  });

  it('cancel stops a running tool: its span is cancelled and the history stays valid for the next turn', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    tools.hold = true;
    const engine = makeEngine(doc, model, { tools });
    const started = new Promise<void>((resolve) => {
      tools.onStart = () => resolve();
    });
    const run = engine.runTurn({ text: 'write then finish' });
    await started;
    engine.cancel();
    expect((await run).outcome).toBe('cancelled');

    const toolSpan = listSpans(doc).find((s) => s.kind === 'tool');
    expect(toolSpan).toMatchObject({ name: 'write_file', status: 'cancelled' });
    expect(listMessages(doc).map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'done'],
      ['tool', 'cancelled'],
    ]);
    tools.hold = false;
    expect((await engine.runTurn({ text: 'say hello' })).outcome).toBe('ok');
  });

  it('cancel does not wait for a tool that ignores the signal', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    tools.hold = true;
    tools.respectAbort = false;
    const engine = makeEngine(doc, model, { tools });
    const started = new Promise<void>((resolve) => {
      tools.onStart = () => resolve();
    });
    const run = engine.runTurn({ text: 'write then finish' });
    await started;
    engine.cancel();
    expect((await run).outcome).toBe('cancelled');
    expect(listSpans(doc).find((s) => s.kind === 'tool')?.status).toBe('cancelled');
    tools.release();
  });

  it('stops a turn at the step limit with a notice', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    const result = await makeEngine(doc, model, { tools, config: { maxSteps: 3 } }).runTurn({ text: 'loop forever' });

    expect(result.outcome).toBe('step-limit');
    expect(listSpans(doc).filter((s) => s.kind === 'model')).toHaveLength(3);
    expect(tools.calls).toHaveLength(3);
    expect(listMessages(doc).at(-1)).toMatchObject({ role: 'notice', text: expect.stringMatching(/step limit/) });
    expect(listSnapshots(doc).at(-1)?.outcome).toBe('step-limit');
  });
});
