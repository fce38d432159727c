// A minimal streaming client for OpenAI-compatible `/chat/completions` over fetch, isomorphic.
// It turns the SSE wire format into normalised `ModelChunkEvent`s and every failure into a `ModelError` that
// names who refused: the runner (its own refusals carry RUNNER_ERROR_HEADER), the provider, or the network.
// A stream that ends before `[DONE]` or a finish reason is a cut stream, never a silent short answer; one cut
// after the finish reason is a whole answer (the usage seen so far is kept).
import { RUNNER_ERROR_HEADER } from '../runner/runner-error.ts';
import type { AbortSignalLike, ChatRequest, ModelChunkEvent, ModelClient } from './model-client.ts';
import { ModelError, modelErrorFromRunner, modelErrorFromStatus, parseRetryAfter, waitWords } from './model-error.ts';
import { SseParser } from './sse.ts';
import { eventsOfCompletion, eventsOfPayload, type StreamState } from './stream-chunks.ts';
import { type FetchLike, globalFetch, linkedAbort, type ResponseLike, utf8Decoder } from './web-platform.ts';

export interface ChatCompletionsClientOptions {
  /** e.g. `https://api.deepseek.com/v1` or the runner's model proxy; `/chat/completions` is appended. */
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  fetch?: FetchLike;
  now?: () => number;
  /** Names the provider in messages ("DeepSeek rejected the API key"); default "The provider". */
  providerLabel?: string;
  /** No answer (status line and headers) within this long is a timeout, in words. Default 120 s. */
  responseTimeoutMs?: number;
  /** No byte of the stream for this long is a timeout. Default 300 s (reasoning models think in silence). */
  idleTimeoutMs?: number;
}

export const DEFAULT_RESPONSE_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
const RATE_LIMIT_HEADER = /^(x-)?ratelimit-/;

export function createChatCompletionsClient(opts: ChatCompletionsClientOptions): ModelClient {
  const doFetch = opts.fetch ?? globalFetch();
  const now = opts.now ?? (() => Date.now());
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const who = opts.providerLabel ?? 'The provider';
  return {
    async *stream(request, options) {
      const timer = linkedAbort(options?.signal);
      try {
        timer.arm(opts.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS, 'response');
        const res = await send(doFetch, url, requestHeaders(opts), requestBody(request), timer, who);
        if (!res.ok) throw await errorFromResponse(res, now(), who);
        yield responseEvent(res);
        const type = res.headers.get('content-type') ?? '';
        if (/json/i.test(type)) {
          // A server that ignores `stream: true` answers one JSON completion: read it as the same events.
          yield* eventsOfCompletion(await readText(res, timer, who), who);
          return;
        }
        if (!/event-stream/i.test(type) && type) throw notOpenAi(type, who);
        yield* readEvents(res, timer, opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, who);
      } finally {
        timer.dispose();
      }
    },
  };
}

/** Model ids from `GET {baseUrl}/models`, for providers that list them (the picker's source). */
export async function listModels(opts: ChatCompletionsClientOptions & { signal?: AbortSignalLike }): Promise<string[]> {
  const doFetch = opts.fetch ?? globalFetch();
  const who = opts.providerLabel ?? 'The provider';
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/models`;
  const timer = linkedAbort(opts.signal);
  try {
    timer.arm(opts.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS, 'response');
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    let res: ResponseLike;
    try {
      res = await doFetch(url, { method: 'GET', headers, signal: timer.signal });
    } catch (e) {
      throw failureOf(e, timer, who);
    }
    if (!res.ok) throw await errorFromResponse(res, (opts.now ?? (() => Date.now()))(), who);
    const text = await readText(res, timer, who);
    let body: { data?: Array<{ id?: unknown }> };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw notOpenAi(res.headers.get('content-type') ?? 'text', who);
    }
    if (!Array.isArray(body?.data)) throw notOpenAi('JSON without a model list', who);
    return body.data.map((m) => m?.id).filter((id): id is string => typeof id === 'string');
  } finally {
    timer.dispose();
  }
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
  if (req.toolChoice !== undefined) body.tool_choice = req.toolChoice;
  if (req.responseFormat) body.response_format = req.responseFormat;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  return JSON.stringify(body);
}

type Timer = ReturnType<typeof linkedAbort>;

async function send(
  doFetch: FetchLike,
  url: string,
  headers: Record<string, string>,
  body: string,
  timer: Timer,
  who: string,
): Promise<ResponseLike> {
  try {
    return await doFetch(url, { method: 'POST', headers, body, signal: timer.signal });
  } catch (e) {
    throw failureOf(e, timer, who);
  }
}

/** A thrown fetch or read: the user's cancel, our time limit, or the network, in that order. */
function failureOf(e: unknown, timer: Timer, who: string): ModelError {
  if (timer.callerAborted()) return new ModelError('aborted', 'The model call was cancelled.');
  const fired = timer.fired();
  if (fired === 'response')
    return new ModelError('timeout', `${who} did not answer within ${waitWords(timer.armedMs())}: is the server up?`);
  if (fired === 'idle')
    return new ModelError(
      'timeout',
      `${who} went silent for ${waitWords(timer.armedMs())} while answering; the answer is cut there.`,
    );
  return new ModelError(
    'network',
    `Could not reach ${who === 'The provider' ? 'the model provider' : who}: ${messageOf(e)}.`,
  );
}

function responseEvent(res: ResponseLike): ModelChunkEvent {
  const rateLimit: Record<string, string> = {};
  res.headers.forEach?.((value, name) => {
    if (RATE_LIMIT_HEADER.test(name.toLowerCase())) rateLimit[name.toLowerCase()] = value;
  });
  const requestId = res.headers.get('x-request-id') ?? undefined;
  return {
    type: 'response',
    ...(requestId ? { requestId } : {}),
    ...(Object.keys(rateLimit).length ? { rateLimit } : {}),
  };
}

async function errorFromResponse(res: ResponseLike, now: number, who: string): Promise<ModelError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // The body is only decoration for the message; the status already says what failed.
  }
  if (res.headers.get(RUNNER_ERROR_HEADER) === 'runner') {
    const body = jsonOf(text) as { code?: unknown; message?: unknown } | undefined;
    return modelErrorFromRunner(
      res.status,
      typeof body?.code === 'string' ? body.code : 'UNKNOWN',
      typeof body?.message === 'string' ? body.message : '',
    );
  }
  const html = /text\/html/i.test(res.headers.get('content-type') ?? '') || /^\s*<(!doctype|html)/i.test(text);
  const detail = html
    ? 'it answered with a web page, not the OpenAI API: check the base URL'
    : (providerMessage(text) ?? text.slice(0, 300));
  return modelErrorFromStatus(res.status, detail, {
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), now),
    requestId: res.headers.get('x-request-id') ?? undefined,
    who,
  });
}

function notOpenAi(type: string, who: string): ModelError {
  const what = /html/i.test(type) ? 'a web page (HTML)' : `“${type}”`;
  return new ModelError(
    'not-openai',
    `${who} answered with ${what}, not an OpenAI-compatible stream: check the base URL (it usually ends in /v1).`,
  );
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function providerMessage(text: string): string | undefined {
  const j = jsonOf(text) as { error?: { message?: unknown } | string; message?: unknown } | undefined;
  if (typeof j?.error === 'string') return j.error;
  if (j?.error && typeof j.error === 'object' && typeof j.error.message === 'string') return j.error.message;
  if (typeof j?.message === 'string') return j.message;
  return undefined;
}

async function readText(res: ResponseLike, timer: Timer, who: string): Promise<string> {
  try {
    return await res.text();
  } catch (e) {
    throw failureOf(e, timer, who);
  }
}

async function* readEvents(
  res: ResponseLike,
  timer: Timer,
  idleMs: number,
  who: string,
): AsyncGenerator<ModelChunkEvent> {
  if (!res.body) throw new ModelError('stream-cut', `${who} sent no response body.`);
  const reader = res.body.getReader();
  const decoder = utf8Decoder();
  const parser = new SseParser();
  const state: StreamState = { finishReason: undefined, done: false, who };
  try {
    while (!state.done) {
      let chunk: { done: boolean; value?: Uint8Array };
      timer.arm(idleMs, 'idle');
      try {
        chunk = await reader.read();
      } catch (e) {
        // A cut after the finish reason lost nothing but the closing frames (and maybe a usage chunk).
        if (state.finishReason !== undefined && !timer.callerAborted()) break;
        const failure = failureOf(e, timer, who);
        if (failure.code === 'network')
          throw new ModelError('stream-cut', `The model’s stream was cut off: ${messageOf(e)}.`);
        throw failure;
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

function messageOf(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}
