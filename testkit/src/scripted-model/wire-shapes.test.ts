// The scripted model speaks every usage shape the app meets, and the app's own stream reader reads each one
// exactly: usage on the finish chunk (DeepSeek), a `choices: []` chunk after it with `usage: null` before
// (OpenAI), `usage: null` on every chunk and never a figure, null-valued delta fields, `delta.reasoning`
// (Ollama), a real 401 without a key, and OpenAI's cached-token rule (≥ 1024 tokens, in steps of 128).
import { createChatCompletionsClient } from '@boocode/shared/model/chat-completions-client';
import type { ChatRequest, ModelChunkEvent } from '@boocode/shared/model/model-client';
import { ModelError } from '@boocode/shared/model/model-error';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPENAI_CACHE_MIN_TOKENS, OPENAI_CACHE_STEP_TOKENS } from './prompt-cache.ts';
import { type ScriptedModel, startScriptedModel } from './server.ts';

let model: ScriptedModel;
let keyed: ScriptedModel;
const rules = [
  { match: { lastUser: 'think' }, response: { reasoning: 'Let me see.', text: 'Four.', chunkChars: 4 } },
  { match: { lastUser: 'nulls' }, response: { text: 'null-safe answer', nullDeltas: true, chunkChars: 5 } },
  { match: { lastUser: 'cut before' }, response: { text: 'never seen', cutAfterChunks: 0 } },
  { match: { lastUser: 'shape' }, response: { json: { verdict: 'approve' }, text: 'I think it is fine.' } },
  { match: {}, response: { text: 'echo {{lastUser}}' } },
];

beforeAll(async () => {
  model = await startScriptedModel({ scenarios: [{ name: 'shapes', rules }] });
  keyed = await startScriptedModel({ scenarios: [{ name: 'shapes', rules }], apiKey: 'sk-right' });
});
afterAll(async () => {
  await Promise.all([model.close(), keyed.close()]);
});
beforeEach(() => model.reset());

type RawChunk = {
  choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Record<string, unknown> | null;
};

/** The raw SSE chunks, as a server sends them. */
async function raw(modelId: string, content: string, extra: Record<string, unknown> = {}): Promise<RawChunk[]> {
  const res = await fetch(`${model.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: modelId,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content }],
      ...extra,
    }),
  });
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((f) => f.startsWith('data: {'))
    .map((f) => JSON.parse(f.slice(6)) as RawChunk);
}

/** What the app's client makes of the same stream. */
async function read(base: string, request: ChatRequest, apiKey?: string): Promise<ModelChunkEvent[]> {
  const out: ModelChunkEvent[] = [];
  for await (const ev of createChatCompletionsClient({ baseUrl: base, apiKey }).stream(request)) out.push(ev);
  return out;
}
const ask = (modelId: string, content: string, system?: string): ChatRequest => ({
  model: modelId,
  messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content }],
});
const usageOf = (events: ModelChunkEvent[]) => events.find((e) => e.type === 'usage');
const text = (events: ModelChunkEvent[], type: 'text-delta' | 'reasoning-delta' = 'text-delta') =>
  events.map((e) => (e.type === type ? e.text : '')).join('');

describe('scripted model: usage shapes, read by the app', () => {
  it('DeepSeek: usage with cache hit/miss rides on the finish chunk, and no empty-choices chunk follows', async () => {
    const chunks = await raw('scripted-deepseek', 'think');
    const last = chunks.at(-1);
    expect(last?.choices[0]?.finish_reason).toBe('stop');
    expect(last?.usage).toMatchObject({ prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: expect.any(Number) });
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
    expect(chunks.some((c) => 'reasoning_content' in (c.choices[0]?.delta ?? {}))).toBe(true);
    const events = await read(model.baseUrl, ask('scripted-deepseek', 'think'));
    expect(text(events, 'reasoning-delta')).toBe('Let me see.');
    expect(usageOf(events)).toMatchObject({ usage: { reported: true, reasoning: 3, cacheHit: expect.any(Number) } });
  });

  it('OpenAI: `usage: null` on every chunk, then the figures in a `choices: []` chunk', async () => {
    const chunks = await raw('scripted-openai', 'think');
    const withChoices = chunks.filter((c) => c.choices.length > 0);
    expect(withChoices.every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens_details: { cached_tokens: 0 } } });
    const events = await read(model.baseUrl, ask('scripted-openai', 'think'));
    expect(events.filter((e) => e.type === 'usage')).toHaveLength(1);
    expect(usageOf(events)).toMatchObject({ usage: { reported: true, cacheHit: 0 } });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('OpenAI caches only prompts of 1024 tokens or more, in steps of 128', async () => {
    const cachedOf = async (system: string, user: string) =>
      (usageOf(await read(model.baseUrl, ask('scripted-openai', user, system))) as { usage: { cacheHit: number } })
        .usage.cacheHit;
    // ~700 tokens shared: below OpenAI's minimum, so nothing is cached however often it is sent.
    const short = 'S'.repeat(2800);
    await cachedOf(short, 'one');
    expect(await cachedOf(short, 'two')).toBe(0);
    // ~1500 tokens shared: cached, a multiple of 128, at least 1024, and no more than the shared prefix.
    const long = 'L'.repeat(6000);
    await cachedOf(long, 'one');
    const hit = await cachedOf(long, 'two');
    expect(hit).toBeGreaterThanOrEqual(OPENAI_CACHE_MIN_TOKENS);
    expect(hit % OPENAI_CACHE_STEP_TOKENS).toBe(0);
    expect(hit).toBeLessThanOrEqual(1500 + 10);
    expect(1500 + 10 - hit).toBeLessThan(OPENAI_CACHE_STEP_TOKENS + 20);
  });

  it('Ollama: reasoning comes as `delta.reasoning`, usage without any cache figure', async () => {
    const chunks = await raw('scripted-ollama', 'think');
    expect(chunks.some((c) => typeof c.choices[0]?.delta.reasoning === 'string')).toBe(true);
    expect(chunks.some((c) => 'reasoning_content' in (c.choices[0]?.delta ?? {}))).toBe(false);
    const events = await read(model.baseUrl, ask('scripted-ollama', 'think'));
    expect(text(events, 'reasoning-delta')).toBe('Let me see.');
    expect(text(events)).toBe('Four.');
    const usage = usageOf(events) as { usage: { reported: boolean; cacheHit?: number } };
    expect(usage.usage.reported).toBe(true);
    expect(usage.usage.cacheHit).toBeUndefined();
  });

  it('`usage: null` on every chunk and never a figure: usage is not reported (never zeros)', async () => {
    const chunks = await raw('scripted-null-usage', 'think');
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.usage === null)).toBe(true);
    const events = await read(model.baseUrl, ask('scripted-null-usage', 'think'));
    expect(usageOf(events)).toBeUndefined();
    expect(text(events)).toBe('Four.');
  });

  it('null-valued delta fields are skipped, not read as text or tool calls', async () => {
    const chunks = await raw('scripted-deepseek', 'nulls');
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls === null && c.choices[0]?.delta.content !== null)).toBe(
      true,
    );
    const events = await read(model.baseUrl, ask('scripted-deepseek', 'nulls'));
    expect(text(events)).toBe('null-safe answer');
    expect(events.some((e) => e.type === 'tool-call-delta' || e.type === 'reasoning-delta')).toBe(false);
  });

  it('answers a request without the key with a real 401, which the app reads as the provider refusing the key', async () => {
    const res = await fetch(`${keyed.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ask('scripted-openai', 'hi')),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_api_key', type: 'invalid_request_error' } });
    const refused = await read(keyed.baseUrl, ask('scripted-openai', 'hi')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ModelError);
    expect(refused).toMatchObject({ code: 'auth', status: 401, by: 'provider' });
    expect((refused as Error).message).toMatch(/rejected the API key.*didn't provide an API key/);
    expect(text(await read(keyed.baseUrl, ask('scripted-openai', 'hi'), 'sk-right'))).toBe('echo hi');
  });

  it('honours response_format json_schema where its server would (OpenAI), refuses it like DeepSeek, and fills a forced respond call', async () => {
    const format = {
      response_format: { type: 'json_schema', json_schema: { name: 'v', schema: { type: 'object' } } },
    };
    const honoured = await raw('scripted-openai', 'shape', format);
    expect(honoured.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('{"verdict":"approve"}');
    const refused = await fetch(`${model.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask('scripted-deepseek', 'shape'), ...format }),
    });
    expect(refused.status).toBe(400);
    const forced = await read(model.baseUrl, {
      ...ask('scripted-deepseek', 'shape'),
      tools: [{ type: 'function', function: { name: 'respond', parameters: { type: 'object' } } }],
      toolChoice: { type: 'function', function: { name: 'respond' } },
    });
    const args = forced.map((e) => (e.type === 'tool-call-delta' ? (e.argumentsDelta ?? '') : '')).join('');
    expect(JSON.parse(args)).toEqual({ verdict: 'approve' });
    // Asked in words, it answers in prose (the re-ask is the caller's business).
    expect(text(await read(model.baseUrl, ask('scripted-deepseek', 'shape')))).toBe('I think it is fine.');
  });

  it('a stream that ends before its first byte reads as a cut stream, sent once', async () => {
    const err = await read(model.baseUrl, ask('scripted-deepseek', 'cut before')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'stream-cut', by: 'network' });
    expect((err as ModelError).retryable).toBe(false);
  });
});

describe('scripted model: servers that stall, read by the app with its time limits', () => {
  it('no answer at all: the response time limit fires and says so in words', async () => {
    const hung = await startScriptedModel({
      scenarios: [{ name: 'h', rules: [{ match: {}, response: { hang: true } }] }],
    });
    try {
      const client = createChatCompletionsClient({
        baseUrl: hung.baseUrl,
        providerLabel: 'Slow Box',
        responseTimeoutMs: 300,
      });
      const err = await (async () => {
        for await (const _ of client.stream(ask('scripted-deepseek', 'hi'))) void _;
      })().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'timeout', by: 'network' });
      expect((err as Error).message).toBe('Slow Box did not answer within 1 s: is the server up?');
    } finally {
      await hung.close();
    }
  });

  it('an answer that stops mid-stream: the idle limit cuts it, keeping what came', async () => {
    const slow = await startScriptedModel({
      scenarios: [
        {
          name: 's',
          rules: [{ match: {}, response: { text: 'first words and then silence', chunkChars: 6, delayMs: 2000 } }],
        },
      ],
    });
    try {
      const client = createChatCompletionsClient({
        baseUrl: slow.baseUrl,
        providerLabel: 'Slow Box',
        idleTimeoutMs: 300,
      });
      const seen: ModelChunkEvent[] = [];
      const err = await (async () => {
        for await (const ev of client.stream(ask('scripted-deepseek', 'hi'))) seen.push(ev);
      })().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'timeout' });
      expect((err as Error).message).toMatch(/Slow Box went silent for 1 s while answering; the answer is cut there\./);
      expect(seen.map((e) => e.type)).toEqual(['response']);
    } finally {
      await slow.close();
    }
  });
});
