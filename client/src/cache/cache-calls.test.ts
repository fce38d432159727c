import type { PromptSegment, Span, Usage } from '@boocode/shared/doc/session-schema';
import { describe, expect, it } from 'vitest';
import { cacheCalls, cacheSummary } from './cache-calls.ts';

const seg = (kind: PromptSegment['kind'], hash: string, preview: string, tokens = 100): PromptSegment => ({
  kind,
  hash,
  preview,
  tokens,
  bytes: tokens * 4,
});

const call = (n: number, usage: Usage | undefined, system = 'You are BooCode.\nToday 2026-11-25 10:00'): Span => ({
  id: `spn_${n}`,
  kind: 'model',
  name: 'deepseek-chat',
  model: 'deepseek-chat',
  turn: n,
  startedAt: n,
  endedAt: n + 1,
  status: 'ok',
  ...(usage ? { usage } : {}),
  segments: [
    seg('system', system, system),
    seg('tools', 't', 'read_file a'),
    seg('history', `h${n}`, ''),
    seg('input', `i${n}`, ''),
  ],
});

const used = (prompt: number, cacheHit?: number): Usage => ({
  reported: true,
  prompt,
  completion: 10,
  reasoning: 0,
  ...(cacheHit !== undefined ? { cacheHit, cacheMiss: prompt - cacheHit } : {}),
});

describe('cacheCalls', () => {
  it('gives hit rates, cumulative rates and savings, and explains a drop', () => {
    const calls = cacheCalls(
      [
        call(1, used(1000, 0)),
        call(2, used(1000, 800)),
        call(3, used(1000, 0), 'You are BooCode.\nToday 2026-11-25 10:05'),
      ],
      'deepseek',
    );
    expect(calls.map((c) => c.rate)).toEqual([0, 0.8, 0]);
    expect(calls.map((c) => c.cumulativeRate)).toEqual([0, 0.4, 800 / 3000]);
    expect(calls[1]!.savings).toBeCloseTo((800 * (0.28 - 0.028)) / 1e6);
    expect(calls[2]!.drop?.explanation?.reason).toMatch(/^system prompt changed at line 2: a timestamp/);
    expect(calls[1]!.drop).toBeUndefined();
  });

  it('does not call a long new input a break: the whole previous prompt was still cached', () => {
    const calls = cacheCalls([call(1, used(1000, 0)), call(2, used(1000, 896)), call(3, used(4000, 960))], 'deepseek');
    expect(calls[2]!.rate).toBeLessThan(calls[1]!.rate!);
    expect(calls[2]!.drop).toBeUndefined();
  });

  it('says not reported, never zero, when the provider gives no cache data or no usage', () => {
    const calls = cacheCalls(
      [call(1, used(1000)), call(2, { ...used(0), reported: false }), call(3, undefined)],
      'openai',
    );
    expect(calls.map((c) => c.report)).toEqual(['no-cache-data', 'no-usage', 'no-usage']);
    expect(calls.every((c) => c.rate === undefined && c.hit === undefined)).toBe(true);
    expect(cacheSummary(calls).hitRate).toBeUndefined();
  });

  it('does not count a call without cache data in the cumulative rate', () => {
    const summary = cacheSummary(cacheCalls([call(1, used(1000, 500)), call(2, used(3000))], 'deepseek'));
    expect(summary).toMatchObject({ calls: 2, reportedCalls: 1, hitRate: 0.5 });
  });
});
