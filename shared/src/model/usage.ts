// Normalises the usage block of every provider shape into one `Usage`, once, so no caller reads
// provider-specific fields. A provider that sends no usage yields `reported: false`, never zeros
// that would look like a real, free, uncached call.
import type { Usage } from '../doc/session-schema.ts';

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

export function notReportedUsage(): Usage {
  return { reported: false, prompt: 0, completion: 0, reasoning: 0 };
}

/**
 * Reads DeepSeek (`prompt_cache_hit_tokens` / `prompt_cache_miss_tokens`), OpenAI
 * (`prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`) and plain shapes.
 * Cache fields stay undefined when the provider says nothing about its cache.
 */
export function normaliseUsage(raw: unknown): Usage {
  const u = obj(raw);
  if (!u) return notReportedUsage();
  const prompt = num(u.prompt_tokens) ?? num(u.input_tokens);
  const completion = num(u.completion_tokens) ?? num(u.output_tokens);
  if (prompt === undefined && completion === undefined) return notReportedUsage();

  const completionDetails = obj(u.completion_tokens_details) ?? obj(u.output_tokens_details);
  const reasoning = num(completionDetails?.reasoning_tokens) ?? 0;
  const out: Usage = { reported: true, prompt: prompt ?? 0, completion: completion ?? 0, reasoning };

  const dsHit = num(u.prompt_cache_hit_tokens);
  const dsMiss = num(u.prompt_cache_miss_tokens);
  const promptDetails = obj(u.prompt_tokens_details) ?? obj(u.input_tokens_details);
  const cached = num(promptDetails?.cached_tokens);
  if (dsHit !== undefined || dsMiss !== undefined) {
    out.cacheHit = dsHit ?? Math.max(0, out.prompt - (dsMiss ?? 0));
    out.cacheMiss = dsMiss ?? Math.max(0, out.prompt - out.cacheHit);
  } else if (cached !== undefined) {
    out.cacheHit = cached;
    out.cacheMiss = Math.max(0, out.prompt - cached);
  }
  return out;
}
