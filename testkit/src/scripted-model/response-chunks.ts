// Turns a response script into the chat-completions chunks a real provider would stream: a role chunk,
// reasoning (DeepSeek `reasoning_content`), text, tool calls split into id/name then argument pieces,
// the finish reason, and (with `stream_options.include_usage`) a last usage chunk with empty choices.
import type { CacheAccount } from './prompt-cache.ts';
import type { RequestFacts, ResponseScript, UsageMode } from './scenario.ts';

export interface ScriptedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ResolvedResponse {
  reasoning: string;
  text: string;
  toolCalls: ScriptedToolCall[];
  finishReason: string;
}

export function resolveResponse(script: ResponseScript, facts: RequestFacts, idSeed: number): ResolvedResponse {
  const fill = (s: string) => s.replaceAll('{{lastUser}}', facts.lastUser).replaceAll('{{lastTool}}', facts.lastTool);
  const toolCalls = (script.toolCalls ?? []).map((tc, i) => ({
    id: tc.id ?? `call_${idSeed}_${i}`,
    name: tc.name,
    arguments: typeof tc.arguments === 'string' ? tc.arguments : JSON.stringify(tc.arguments),
  }));
  return {
    reasoning: fill(script.reasoning ?? ''),
    text: fill(script.text ?? ''),
    toolCalls,
    finishReason: script.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
  };
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

export function usageBlock(mode: UsageMode, cache: CacheAccount, r: ResolvedResponse): Record<string, unknown> | null {
  if (mode === 'none') return null;
  const { completion, reasoning } = completionTokens(r);
  const base = {
    prompt_tokens: cache.promptTokens,
    completion_tokens: completion,
    total_tokens: cache.promptTokens + completion,
  };
  if (mode === 'openai')
    return {
      ...base,
      prompt_tokens_details: { cached_tokens: cache.hitTokens },
      completion_tokens_details: { reasoning_tokens: reasoning },
    };
  return {
    ...base,
    prompt_cache_hit_tokens: cache.hitTokens,
    prompt_cache_miss_tokens: cache.missTokens,
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

type Delta = Record<string, unknown>;

/** The `choices[0]` payloads of the stream, in order (the caller wraps them with id/model/created). */
export function streamChoices(
  script: ResponseScript,
  r: ResolvedResponse,
): Array<{ delta: Delta; finish_reason: string | null }> {
  const out: Array<{ delta: Delta; finish_reason: string | null }> = [];
  const push = (delta: Delta) => out.push({ delta, finish_reason: null });
  push({ role: 'assistant', content: '' });
  for (const p of pieces(r.reasoning, script.chunkChars)) push({ reasoning_content: p });
  for (const p of pieces(r.text, script.chunkChars)) push({ content: p });

  const heads = r.toolCalls.map((tc, index) => ({
    index,
    id: tc.id,
    type: 'function',
    function: { name: tc.name, arguments: '' },
  }));
  const argPieces = r.toolCalls.map((tc) => split(tc.arguments, script.argumentChunks));
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
  out.push({ delta: {}, finish_reason: r.finishReason });
  return out;
}
