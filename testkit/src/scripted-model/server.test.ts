import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listModels } from '@boocode/shared/model/chat-completions-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_UNIT_TOKENS } from './prompt-cache.ts';
import { loadScenarioDir } from './scenario.ts';
import { SCRIPTED_MODELS, type ScriptedModel, startScriptedModel } from './server.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel({
    scenarios: [
      {
        name: 'wire',
        rules: [
          {
            match: { lastUser: 'tools please' },
            response: {
              reasoning: 'two tools',
              toolCalls: [
                { id: 'c1', name: 'read_file', arguments: { path: 'a' } },
                { id: 'c2', name: 'read_file', arguments: { path: 'bb' } },
              ],
              argumentChunks: 2,
            },
          },
          { match: { lastUser: 'limited' }, response: { error: { status: 429, retryAfter: 7 } } },
          { match: { step: 1 }, response: { text: 'after tool: {{lastTool}}' } },
          { match: {}, response: { text: 'echo {{lastUser}}' } },
        ],
      },
    ],
  });
});
afterAll(() => model.close());
beforeEach(() => model.reset());

const post = (body: unknown) =>
  fetch(`${model.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

function frames(text: string): unknown[] {
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((f) => f && f !== 'data: [DONE]')
    .map((f) => {
      expect(f.startsWith('data: ')).toBe(true);
      return JSON.parse(f.slice(6));
    });
}

type Chunk = {
  choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Record<string, unknown>;
};

describe('scripted model: wire format', () => {
  it('lists scripted-… models', async () => {
    const list = (await (await fetch(`${model.baseUrl}/models`)).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((m) => m.id)).toEqual(SCRIPTED_MODELS);
  });

  it('streams SSE chunks: reasoning_content, tool calls split by index, and (DeepSeek) usage on the finish chunk', async () => {
    const res = await post({
      model: 'scripted-deepseek',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'tools please' }],
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const chunks = frames(await res.text()) as Chunk[];
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
    expect(deltas.map((d) => d.reasoning_content).join('')).toBe('two tools');
    type ToolDelta = { index: number; id?: string; function?: { arguments?: string } };
    const toolDeltas = deltas.flatMap((d) => (d.tool_calls as ToolDelta[] | undefined) ?? []);
    expect(toolDeltas.filter((t) => t.id).map((t) => t.id)).toEqual(['c1', 'c2']);
    const args = (i: number) =>
      toolDeltas
        .filter((t) => t.index === i)
        .map((t) => t.function?.arguments ?? '')
        .join('');
    expect(args(0)).toBe('{"path":"a"}');
    expect(args(1)).toBe('{"path":"bb"}');
    expect(toolDeltas.filter((t) => t.index === 1).length).toBeGreaterThan(2);
    const last = chunks.at(-1)!;
    expect(last.choices[0]?.finish_reason).toBe('tool_calls');
    expect(last.usage).toMatchObject({ prompt_cache_hit_tokens: 0 });
    expect(chunks.filter((c) => c.usage !== undefined)).toHaveLength(1);
  });

  it('answers non-streaming requests, fills placeholders and matches by tool step', async () => {
    const res = await post({
      model: 'scripted-openai',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: null, tool_calls: [] },
        { role: 'tool', content: 'RESULT', tool_call_id: 'c' },
      ],
    });
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }>; usage: unknown };
    expect(body.choices[0]?.message.content).toBe('after tool: RESULT');
    expect(body.usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 0 } });
  });

  it('sends scripted errors with retry-after, and no usage for scripted-no-usage', async () => {
    const res = await post({ model: 'scripted-deepseek', messages: [{ role: 'user', content: 'limited' }] });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    const none = await post({
      model: 'scripted-no-usage',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect((frames(await none.text()) as Chunk[]).some((c) => c.usage)).toBe(false);
  });

  it('accounts cache hits as the shared prefix with earlier requests, in 64-token units', async () => {
    const system = { role: 'system', content: 'S'.repeat(2000) };
    const ask = async (content: string) => {
      const res = await post({ model: 'scripted-deepseek', messages: [system, { role: 'user', content }] });
      return ((await res.json()) as { usage: Record<string, number> }).usage;
    };
    const first = await ask('one');
    const second = await ask('two');
    expect(first.prompt_cache_hit_tokens).toBe(0);
    expect(second.prompt_cache_hit_tokens).toBeGreaterThan(0);
    expect(second.prompt_cache_hit_tokens! % CACHE_UNIT_TOKENS).toBe(0);
    expect(second.prompt_cache_hit_tokens! + second.prompt_cache_miss_tokens!).toBe(second.prompt_tokens);
    expect(second.prompt_tokens! - second.prompt_cache_hit_tokens!).toBeLessThan(CACHE_UNIT_TOKENS + 20);
  });

  it('records requests for tests and forgets them on reset', async () => {
    await post({ model: 'scripted-deepseek', messages: [{ role: 'user', content: 'hi' }] });
    const recorded = (await (await fetch(`http://127.0.0.1:${model.port}/_requests`)).json()) as Array<{
      body: unknown;
    }>;
    expect(recorded.map((r) => r.body)).toEqual([
      { model: 'scripted-deepseek', messages: [{ role: 'user', content: 'hi' }] },
    ]);
    await fetch(`http://127.0.0.1:${model.port}/_reset`, { method: 'POST' });
    expect(model.requests().filter((r) => r.path !== '/_requests')).toEqual([]);
  });
});

describe('scripted model: scenario files', () => {
  it('every file in scenarios/ parses, and the demo labels itself as scripted', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
    const scenarios = loadScenarioDir(dir);
    // Features add their own files (chat-e2e, workflows, …); every one of them must parse, and these two exist.
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(scenarios).toHaveLength(files.length);
    expect(scenarios.map((s) => s.name)).toEqual(expect.arrayContaining(['demo', 'engine-tests']));
    const fallback = scenarios.find((s) => s.name === 'demo')?.rules.at(-1);
    expect(fallback?.response.text).toMatch(/Scripted model/);
  });
});

describe('scripted model: real clients', () => {
  it('streams to the openai SDK, which sees the DeepSeek extras as extra properties', async () => {
    const { default: OpenAI } = await import('openai');
    const client = new OpenAI({ baseURL: model.baseUrl, apiKey: 'test' });
    const stream = await client.chat.completions.create({
      model: 'scripted-deepseek',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'tools please' }],
    });
    const names: string[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) if (tc.function?.name) names.push(tc.function.name);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(names).toEqual(['read_file', 'read_file']);
    expect(usage).toMatchObject({ prompt_cache_hit_tokens: 0 });
  });

  it('lists its models through the engine-side client', async () => {
    expect(await listModels({ baseUrl: model.baseUrl })).toEqual(SCRIPTED_MODELS);
  });

  it('allows a localhost page (the demo) through CORS and no other origin', async () => {
    const pre = await fetch(`${model.baseUrl}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const evil = await fetch(`${model.baseUrl}/models`, { headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});
