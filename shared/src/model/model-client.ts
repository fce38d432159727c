// The plain contract between the agent engine and any chat-completions provider: a request in the
// OpenAI message shape, and a stream of normalised chunk events. No SDK types cross this line.
import type { Usage } from '../doc/session-schema.ts';

/** The minimum of an AbortSignal the engine needs; a DOM or Node AbortSignal satisfies it. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A part of a user message with attachments (OpenAI content parts); images are data URIs. */
export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ChatContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string };

/** A tool schema as the model sees it (OpenAI `tools[]` entry). */
export interface ChatToolSpec {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** OpenAI's `response_format`: the server constrains the answer to the schema (or to any JSON object). */
export type ChatResponseFormat =
  | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean } }
  | { type: 'json_object' };

/** OpenAI's `tool_choice`: a named function forces that call. */
export type ChatToolChoice = 'auto' | 'required' | 'none' | { type: 'function'; function: { name: string } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatToolSpec[];
  toolChoice?: ChatToolChoice;
  responseFormat?: ChatResponseFormat;
  temperature?: number;
  maxTokens?: number;
}

/** Normalised stream events; `finish` is always the last event of a successful stream. */
export type ModelChunkEvent =
  /** First, once the server answered: its request id and rate-limit headers, for the trace. */
  | { type: 'response'; requestId?: string; rateLimit?: Record<string, string> }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: string };

export interface ModelClient {
  /** Streams one chat completion. Throws `ModelError` for provider and transport failures. */
  stream(request: ChatRequest, options?: { signal?: AbortSignalLike }): AsyncIterable<ModelChunkEvent>;
}
