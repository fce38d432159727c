// A minimal streaming client for OpenAI-compatible `/chat/completions` over fetch, isomorphic.
// It turns the SSE wire format into normalised `ModelChunkEvent`s and every failure into a `ModelError`;
// a stream that ends before `[DONE]` or a finish reason is a cut stream, never a silent short answer.
import type { AbortSignalLike, ChatRequest, ModelChunkEvent, ModelClient } from './model-client.ts';
import { ModelError, modelErrorFromStatus, parseRetryAfter } from './model-error.ts';
import { SseParser } from './sse.ts';
import { normaliseUsage } from './usage.ts';
import { type FetchLike, globalFetch, nativeSignal, type ResponseLike, utf8Decoder } from './web-platform.ts';

export interface ChatCompletionsClientOptions {
  /** e.g. `https://api.deepseek.com/v1` or the runner's model proxy; `/chat/completions` is appended. */
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  fetch?: FetchLike;
  now?: () => number;
}

export function createChatCompletionsClient(opts: ChatCompletionsClientOptions): ModelClient {
  const doFetch = opts.fetch ?? globalFetch();
  const now = opts.now ?? (() => Date.now());
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    async *stream(request, options) {
      const signal = options?.signal;
      const res = await send(doFetch, url, requestHeaders(opts), requestBody(request), signal);
      if (!res.ok) throw await errorFromResponse(res, now());
      yield* readEvents(res, signal);
    },
  };
}

/** Model ids from `GET {baseUrl}/models`, for providers that list them (the picker's source). */
export async function listModels(opts: ChatCompletionsClientOptions & { signal?: AbortSignalLike }): Promise<string[]> {
  const doFetch = opts.fetch ?? globalFetch();
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/models`;
  let res: ResponseLike;
  try {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    res = await doFetch(url, { method: 'GET', headers, signal: nativeSignal(opts.signal) });
  } catch (e) {
    throw new ModelError('network', `Could not reach the model provider: ${messageOf(e)}.`);
  }
  if (!res.ok) throw await errorFromResponse(res, (opts.now ?? (() => Date.now()))());
  const body = JSON.parse(await res.text()) as { data?: Array<{ id?: unknown }> };
  return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
}

function requestHeaders(opts: ChatCompletionsClientOptions): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (opts.apiKey) h.authorization = `Bearer ${opts.apiKey}`;
  return { ...h, ...opts.headers };
}

function requestBody(req: ChatRequest): string {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: req.messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (req.tools?.length) body.tools = req.tools;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  return JSON.stringify(body);
}

async function send(
  doFetch: FetchLike,
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignalLike | undefined,
): Promise<ResponseLike> {
  try {
    return await doFetch(url, { method: 'POST', headers, body, signal: nativeSignal(signal) });
  } catch (e) {
    if (signal?.aborted) throw new ModelError('aborted', 'The model call was cancelled.');
    throw new ModelError('network', `Could not reach the model provider: ${messageOf(e)}.`);
  }
}

async function errorFromResponse(res: ResponseLike, now: number): Promise<ModelError> {
  let detail = '';
  try {
    const text = await res.text();
    detail = providerMessage(text) ?? text.slice(0, 300);
  } catch {
    // The body is only decoration for the message; the status already says what failed.
  }
  return modelErrorFromStatus(res.status, detail, parseRetryAfter(res.headers.get('retry-after'), now));
}

function providerMessage(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (typeof j.error?.message === 'string') return j.error.message;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // Not JSON: the caller falls back to the raw text.
  }
  return undefined;
}

async function* readEvents(res: ResponseLike, signal: AbortSignalLike | undefined): AsyncGenerator<ModelChunkEvent> {
  if (!res.body) throw new ModelError('stream-cut', 'The provider sent no response body.');
  const reader = res.body.getReader();
  const decoder = utf8Decoder();
  const parser = new SseParser();
  const state: StreamState = { finishReason: undefined, done: false, sawData: false };
  try {
    while (!state.done) {
      let chunk: { done: boolean; value?: Uint8Array };
      try {
        chunk = await reader.read();
      } catch (e) {
        if (signal?.aborted) throw new ModelError('aborted', 'The model call was cancelled.');
        throw new ModelError('stream-cut', `The model's stream was cut off: ${messageOf(e)}.`);
      }
      const payloads = chunk.done ? parser.flush() : parser.push(decoder.decode(chunk.value, { stream: true }));
      for (const data of payloads) yield* eventsOfPayload(data, state);
      if (chunk.done) break;
    }
  } finally {
    if (!state.done) await reader.cancel().catch(() => undefined);
  }
  if (!state.done && state.finishReason === undefined)
    throw new ModelError('stream-cut', 'The model stream ended before it finished (the connection was cut).');
  yield { type: 'finish', reason: state.finishReason ?? 'stop' };
}

interface StreamState {
  finishReason: string | undefined;
  done: boolean;
  sawData: boolean;
}

interface WireChunk {
  error?: { message?: string; code?: unknown } | string;
  usage?: unknown;
  choices?: Array<{
    finish_reason?: string | null;
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
  }>;
}

function* eventsOfPayload(data: string, state: StreamState): Generator<ModelChunkEvent> {
  if (data.trim() === '[DONE]') {
    state.done = true;
    return;
  }
  let chunk: WireChunk;
  try {
    chunk = JSON.parse(data) as WireChunk;
  } catch {
    throw new ModelError('provider', `The provider sent a malformed stream chunk: ${data.slice(0, 120)}`);
  }
  state.sawData = true;
  if (chunk.error) {
    const msg = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'unknown error');
    throw new ModelError('provider', `The provider reported an error mid-stream: ${msg}`);
  }
  for (const choice of chunk.choices ?? []) {
    const d = choice.delta;
    // DeepSeek names it reasoning_content; OpenRouter and some local servers use `reasoning`.
    const reasoning = d?.reasoning_content ?? d?.reasoning;
    if (reasoning) yield { type: 'reasoning-delta', text: reasoning };
    if (d?.content) yield { type: 'text-delta', text: d.content };
    for (const tc of d?.tool_calls ?? []) {
      yield {
        type: 'tool-call-delta',
        index: tc.index ?? 0,
        ...(tc.id ? { id: tc.id } : {}),
        ...(tc.function?.name ? { name: tc.function.name } : {}),
        ...(tc.function?.arguments ? { argumentsDelta: tc.function.arguments } : {}),
      };
    }
    if (choice.finish_reason) state.finishReason = choice.finish_reason;
  }
  if (chunk.usage) {
    const usage = normaliseUsage(chunk.usage);
    if (usage.reported) yield { type: 'usage', usage };
  }
}

function messageOf(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}
