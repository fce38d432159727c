import { describe, expect, it } from 'vitest';
import { createChatCompletionsClient } from './chat-completions-client.ts';
import type { ModelChunkEvent } from './model-client.ts';
import { ModelError } from './model-error.ts';
import { SseParser } from './sse.ts';
import type { FetchLike, ResponseLike } from './web-platform.ts';

/** A fetch that answers with `body` split into byte pieces of `size` (cutting UTF-8 sequences too). */
function fakeFetch(body: string, size: number, init: { status?: number; headers?: Record<string, string> } = {}) {
  const bytes = new TextEncoder().encode(body);
  const fetch: FetchLike = async () => {
    let pos = 0;
    const res: ResponseLike = {
      ok: (init.status ?? 200) < 400,
      status: init.status ?? 200,
      headers: { get: (n) => init.headers?.[n.toLowerCase()] ?? null },
      text: async () => body,
      body: {
        getReader: () => ({
          read: async () => {
            if (pos >= bytes.length) return { done: true };
            const value = bytes.slice(pos, pos + size);
            pos += size;
            return { done: false, value };
          },
          cancel: async () => undefined,
        }),
      },
    };
    return res;
  };
  return fetch;
}

const sse = (...chunks: unknown[]) =>
  chunks.map((c) => `data: ${typeof c === 'string' ? c : JSON.stringify(c)}\n\n`).join('');

async function collect(body: string, size: number): Promise<ModelChunkEvent[]> {
  const client = createChatCompletionsClient({ baseUrl: 'http://x/v1', fetch: fakeFetch(body, size) });
  const out: ModelChunkEvent[] = [];
  for await (const ev of client.stream({ model: 'm', messages: [] })) out.push(ev);
  return out;
}

describe('SSE parsing', () => {
  it('joins multi-line data, skips comments, and handles CRLF', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\r\n\r\ndata: a\r\ndata: b\r\n\r\ndata: c')).toEqual(['a\nb']);
    expect(p.flush()).toEqual(['c']);
  });
});

describe('chat-completions client', () => {
  const body = sse(
    { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
    { choices: [{ index: 0, delta: { reasoning_content: 'hmm, ' } }] },
    { choices: [{ index: 0, delta: { content: 'héllo 👋' } }] },
    {
      choices: [
        { index: 0, delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a"' } }] } },
      ],
    },
    { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }] },
    { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    {
      choices: [],
      usage: { prompt_tokens: 9, completion_tokens: 4, prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: 9 },
    },
    '[DONE]',
  );

  it('yields the same normalised events whatever the byte boundaries', async () => {
    const whole = await collect(body, 100_000);
    expect(whole).toEqual([
      { type: 'response' },
      { type: 'reasoning-delta', text: 'hmm, ' },
      { type: 'text-delta', text: 'héllo 👋' },
      { type: 'tool-call-delta', index: 0, id: 'c1', name: 'f', argumentsDelta: '{"a"' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ':1}' },
      {
        type: 'usage',
        usage: { reported: true, prompt: 9, completion: 4, reasoning: 0, cacheHit: 0, cacheMiss: 9 },
      },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    for (const size of [1, 3, 7]) expect(await collect(body, size)).toEqual(whole);
  });

  it('a stream that ends without a finish reason or [DONE] is a cut stream', async () => {
    const cut = sse({ choices: [{ index: 0, delta: { content: 'partial' } }] });
    await expect(collect(cut, 5)).rejects.toMatchObject({ code: 'stream-cut' });
  });

  it('maps HTTP errors to readable, typed errors with retry-after', async () => {
    const client = createChatCompletionsClient({
      baseUrl: 'http://x/v1',
      fetch: fakeFetch(JSON.stringify({ error: { message: 'slow down' } }), 100, {
        status: 429,
        headers: { 'retry-after': '3' },
      }),
    });
    const err = await (async () => {
      for await (const _ of client.stream({ model: 'm', messages: [] })) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'rate-limit', status: 429, retryAfterMs: 3000 });
    expect((err as ModelError).message).toBe(
      'The provider is rate-limiting requests (HTTP 429) (slow down). It asks to wait 3 s.',
    );
  });
});
