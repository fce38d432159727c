// One chat-completions chunk (or a whole non-streamed completion) into normalised events, for every shape
// OpenAI-compatible servers send: usage on the finish chunk (DeepSeek) or in a `choices: []` chunk after it
// (OpenAI, Ollama), `usage: null` on every chunk, null-valued delta fields, reasoning as DeepSeek's
// `reasoning_content` or the `reasoning` of Ollama and OpenRouter, and an `error` object mid-stream.
import type { ModelChunkEvent } from './model-client.ts';
import { ModelError } from './model-error.ts';
import { normaliseUsage } from './usage.ts';

export interface StreamState {
  finishReason: string | undefined;
  done: boolean;
  /** Names the provider in messages. */
  who: string;
}

interface WireToolCall {
  index?: number | null;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface WireDelta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: WireToolCall[] | null;
}

interface WireChunk {
  error?: { message?: string; code?: unknown } | string | null;
  usage?: unknown;
  choices?: Array<{ finish_reason?: string | null; delta?: WireDelta | null; message?: WireDelta | null }> | null;
}

function parse(data: string, who: string): WireChunk {
  try {
    const chunk = JSON.parse(data) as unknown;
    if (chunk && typeof chunk === 'object') return chunk as WireChunk;
  } catch {
    // falls through to the error below
  }
  throw new ModelError('provider', `${who} sent a malformed stream chunk: ${data.slice(0, 120)}`);
}

export function* eventsOfPayload(data: string, state: StreamState): Generator<ModelChunkEvent> {
  if (data.trim() === '[DONE]') {
    state.done = true;
    return;
  }
  const chunk = parse(data, state.who);
  if (chunk.error) {
    const msg = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'unknown error');
    throw new ModelError('provider', `${state.who} reported an error mid-stream: ${msg}`);
  }
  for (const choice of chunk.choices ?? []) {
    yield* eventsOfDelta(choice?.delta);
    if (choice?.finish_reason) state.finishReason = choice.finish_reason;
  }
  if (chunk.usage) {
    const usage = normaliseUsage(chunk.usage);
    if (usage.reported) yield { type: 'usage', usage };
  }
}

function* eventsOfDelta(d: WireDelta | null | undefined): Generator<ModelChunkEvent> {
  if (!d) return;
  // DeepSeek names it reasoning_content; Ollama, OpenRouter and some local servers use `reasoning`.
  const reasoning = d.reasoning_content ?? d.reasoning;
  if (reasoning) yield { type: 'reasoning-delta', text: reasoning };
  if (d.content) yield { type: 'text-delta', text: d.content };
  for (const [i, tc] of (d.tool_calls ?? []).entries()) {
    if (!tc) continue;
    yield {
      type: 'tool-call-delta',
      index: tc.index ?? i,
      ...(tc.id ? { id: tc.id } : {}),
      ...(tc.function?.name ? { name: tc.function.name } : {}),
      ...(tc.function?.arguments ? { argumentsDelta: tc.function.arguments } : {}),
    };
  }
}

/** A non-streamed completion (a server that ignored `stream: true`), as the events its stream would have had. */
export function* eventsOfCompletion(text: string, who: string): Generator<ModelChunkEvent> {
  const body = parse(text, who);
  if (body.error) {
    const msg = typeof body.error === 'string' ? body.error : (body.error.message ?? 'unknown error');
    throw new ModelError('provider', `${who} reported an error: ${msg}`);
  }
  const choice = body.choices?.[0];
  if (!choice?.message) throw new ModelError('not-openai', `${who} answered JSON that is not a chat completion.`);
  yield* eventsOfDelta(choice.message);
  const usage = normaliseUsage(body.usage);
  if (usage.reported) yield { type: 'usage', usage };
  yield { type: 'finish', reason: choice.finish_reason ?? 'stop' };
}
