// Cache-shape rows: one per model call, with its prompt segments, the cached prefix, the hit rate, the
// session's cumulative hit rate and savings, and — when the hit rate drops — the cache-break explainer's
// reason. Calls whose provider reports no cache data stay "not reported": they never count as zero.
import type { PromptSegment, Span } from '@boocode/shared/doc/session-schema';
import { type CacheBreak, cacheHitRate, explainCacheBreak } from '@boocode/shared/model/cache-break';
import { spanSavings } from '../traces/span-cost.ts';

export type CacheReport = 'reported' | 'no-usage' | 'no-cache-data';

export interface CacheCall {
  span: Span;
  /** 1-based number of the model call in the session. */
  number: number;
  segments: PromptSegment[];
  /** Prompt tokens: the provider's count when reported, else the segments' estimate. */
  promptTokens: number;
  report: CacheReport;
  hit?: number;
  rate?: number;
  /** Hits over prompt tokens of every reported call so far. */
  cumulativeRate?: number;
  savings?: number;
  cumulativeSavings?: number;
  /** Set when this call's cached prefix shrank and its hit rate fell, compared with the previous reported call. */
  drop?: { from: number; to: number; explanation: CacheBreak | null };
}

export interface CacheSummary {
  calls: number;
  reportedCalls: number;
  hitRate?: number;
  hitTokens: number;
  promptTokens: number;
  savings?: number;
}

export function cacheCalls(spans: readonly Span[], provider: string | undefined): CacheCall[] {
  const out: CacheCall[] = [];
  let hitSum = 0;
  let promptSum = 0;
  let savingsSum: number | undefined;
  let prev: { rate: number; hit: number } | undefined;
  let prevSegments: PromptSegment[] | undefined;
  for (const span of spans) {
    if (span.kind !== 'model') continue;
    const segments = span.segments ?? [];
    const estimate = segments.reduce((n, s) => n + s.tokens, 0);
    const u = span.usage;
    const rate = cacheHitRate(u);
    const call: CacheCall = {
      span,
      number: out.length + 1,
      segments,
      promptTokens: u?.reported ? u.prompt : estimate,
      report: !u?.reported ? 'no-usage' : u.cacheHit === undefined ? 'no-cache-data' : 'reported',
    };
    if (u?.reported && u.cacheHit !== undefined) {
      call.hit = u.cacheHit;
      call.rate = rate;
      hitSum += u.cacheHit;
      promptSum += u.prompt;
      call.cumulativeRate = promptSum > 0 ? hitSum / promptSum : undefined;
      const saved = spanSavings(span, provider);
      if (saved !== undefined) savingsSum = (savingsSum ?? 0) + saved;
      call.savings = saved;
      call.cumulativeSavings = savingsSum;
      // A break is a cached prefix that got shorter. A falling rate alone is not one: a long new input
      // lowers the rate while the whole previous prompt is still served from cache.
      if (rate !== undefined && prev && u.cacheHit < prev.hit && rate < prev.rate) {
        // The explainer compares with the call just before, whose prefix the provider had cached.
        call.drop = { from: prev.rate, to: rate, explanation: explainDrop(prevSegments ?? [], segments) };
      }
      if (rate !== undefined) prev = { rate, hit: u.cacheHit };
    }
    if (segments.length) prevSegments = segments;
    out.push(call);
  }
  return out;
}

function explainDrop(prev: PromptSegment[], cur: PromptSegment[]): CacheBreak | null {
  if (!prev.length || !cur.length) return null;
  return explainCacheBreak(prev, cur);
}

export function cacheSummary(calls: readonly CacheCall[]): CacheSummary {
  let hitTokens = 0;
  let promptTokens = 0;
  let savings: number | undefined;
  let reportedCalls = 0;
  for (const c of calls) {
    if (c.report !== 'reported' || c.hit === undefined) continue;
    reportedCalls++;
    hitTokens += c.hit;
    promptTokens += c.promptTokens;
    if (c.savings !== undefined) savings = (savings ?? 0) + c.savings;
  }
  return {
    calls: calls.length,
    reportedCalls,
    hitTokens,
    promptTokens,
    hitRate: promptTokens > 0 ? hitTokens / promptTokens : undefined,
    savings,
  };
}

/** The widest prompt, so every call's bar shares one scale and growth is visible. */
export function barScale(calls: readonly CacheCall[]): number {
  let max = 1;
  for (const c of calls) max = Math.max(max, c.promptTokens, segmentTotal(c.segments));
  return max;
}

export function segmentTotal(segments: readonly PromptSegment[]): number {
  return segments.reduce((n, s) => n + s.tokens, 0);
}
