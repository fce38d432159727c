// Turns a response script into the chat-completions chunks a real provider would stream: a role chunk,
// reasoning (DeepSeek `reasoning_content` or Ollama's `reasoning`), text, tool calls split into id/name then
// argument pieces, and the finish reason. A structured answer (`json`) goes out the way the request asked for
// it: as content under `response_format`, as a forced `respond` call, or as the prose `text` otherwise.
import type { CacheAccount } from './prompt-cache.ts';
import type { RequestFacts, ResponseScript } from './scenario.ts';
import type { WireShape } from './wire-shapes.ts';

export interface ScriptedToolCall {
  id: string;
  name: string;
  arguments: string;
  /** A structured answer sent as a call streams at the text's pace (`chunkChars` a chunk), not in 3 pieces. */
  pacedAsText?: boolean;
}

export interface ResolvedResponse {
  reasoning: string;
  text: string;
  toolCalls: ScriptedToolCall[];
  finishReason: string;
}

/** How the request asked for a structured answer. */
export type StructuredAsk = 'json_schema' | 'tool' | 'words';

const RESPOND = 'respond';

export function resolveResponse(
  script: ResponseScript,
  facts: RequestFacts,
  idSeed: number,
  ask: StructuredAsk = 'words',
): ResolvedResponse {
  const fill = (s: string) =>
    s
      .replaceAll('{{lastUser}}', facts.lastUser)
      .replaceAll('{{lastTool}}', facts.lastTool)
      .replaceAll('{{seq}}', String(idSeed));
  const toolCalls: ScriptedToolCall[] = (script.toolCalls ?? []).map((tc, i) => ({
    id: tc.id ?? `call_${idSeed}_${i}`,
    name: tc.name,
    arguments: typeof tc.arguments === 'string' ? tc.arguments : JSON.stringify(tc.arguments),
  }));
  let text = fill(script.text ?? (script.json !== undefined ? JSON.stringify(script.json) : ''));
  if (ask === 'json_schema' && script.json !== undefined) text = JSON.stringify(script.json);
  if (ask === 'tool') {
    const args = script.json !== undefined ? JSON.stringify(script.json) : jsonObjectText(text);
    if (args !== undefined) {
      toolCalls.push({ id: `call_${idSeed}_respond`, name: RESPOND, arguments: args, pacedAsText: true });
      text = '';
    }
  }
  return {
    reasoning: fill(script.reasoning ?? ''),
    text,
    toolCalls,
    finishReason: script.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
  };
}

/** The text when it is a JSON object (a scripted answer written as text still fills a forced call). */
function jsonObjectText(text: string): string | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? text : undefined;
  } catch {
    return undefined;
  }
}

function pieces(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function split(s: string, n: number): string[] {
  if (!s) return [];
  const size = Math.max(1, Math.ceil(s.length / n));
  return pieces(s, size);
}

export function completionTokens(r: ResolvedResponse): { completion: number; reasoning: number } {
  const args = r.toolCalls.reduce((n, tc) => n + tc.name.length + tc.arguments.length, 0);
  const reasoning = Math.ceil(r.reasoning.length / 4);
  return { completion: reasoning + Math.ceil((r.text.length + args) / 4), reasoning };
}

/** The usage block in the server's own field names; null for a server that reports none. */
export function usageBlock(shape: WireShape, cache: CacheAccount, r: ResolvedResponse): Record<string, unknown> | null {
  if (shape.usage === 'never') return null;
  const { completion, reasoning } = completionTokens(r);
  const base = {
    prompt_tokens: cache.promptTokens,
    completion_tokens: completion,
    total_tokens: cache.promptTokens + completion,
  };
  if (shape.cache === 'openai')
    return {
      ...base,
      prompt_tokens_details: { cached_tokens: cache.hitTokens },
      completion_tokens_details: { reasoning_tokens: reasoning },
    };
  if (shape.cache === 'deepseek')
    return {
      ...base,
      prompt_cache_hit_tokens: cache.hitTokens,
      prompt_cache_miss_tokens: cache.missTokens,
      completion_tokens_details: { reasoning_tokens: reasoning },
    };
  return base;
}

type Delta = Record<string, unknown>;

const DELTA_FIELDS = ['role', 'content', 'reasoning_content', 'tool_calls'] as const;

/** The `choices[0]` payloads of the stream, in order (the caller wraps them with id/model/created and usage). */
export function streamChoices(
  script: ResponseScript,
  r: ResolvedResponse,
  shape: WireShape,
): Array<{ delta: Delta; finish_reason: string | null }> {
  const out: Array<{ delta: Delta; finish_reason: string | null }> = [];
  const push = (delta: Delta) =>
    out.push({
      delta: script.nullDeltas ? { ...Object.fromEntries(DELTA_FIELDS.map((f) => [f, null])), ...delta } : delta,
      finish_reason: null,
    });
  push({ role: 'assistant', content: '' });
  for (const p of pieces(r.reasoning, script.chunkChars)) push({ [shape.reasoningField]: p });
  for (const p of pieces(r.text, script.chunkChars)) push({ content: p });

  const heads = r.toolCalls.map((tc, index) => ({
    index,
    id: tc.id,
    type: 'function',
    function: { name: tc.name, arguments: '' },
  }));
  // A slow scripted answer stays as slow when it is asked for as a forced call (tests time things by it).
  const argPieces = r.toolCalls.map((tc) =>
    tc.pacedAsText ? pieces(tc.arguments, script.chunkChars) : split(tc.arguments, script.argumentChunks),
  );
  if (script.interleaveToolCalls) {
    for (const h of heads) push({ tool_calls: [h] });
    const rounds = Math.max(0, ...argPieces.map((a) => a.length));
    for (let k = 0; k < rounds; k++)
      argPieces.forEach((a, index) => {
        if (a[k] !== undefined) push({ tool_calls: [{ index, function: { arguments: a[k] } }] });
      });
  } else {
    heads.forEach((h, index) => {
      push({ tool_calls: [h] });
      for (const a of argPieces[index] ?? []) push({ tool_calls: [{ index, function: { arguments: a } }] });
    });
  }
  out.push({ delta: script.nullDeltas ? { content: null } : {}, finish_reason: r.finishReason });
  return out;
}
