import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_OPTIONS, parseRunOptions } from './run-options.ts';

describe('parseRunOptions', () => {
  it('leaves everything to the engine when the fields are empty', () => {
    expect(parseRunOptions(DEFAULT_RUN_OPTIONS)).toEqual({ ok: true, options: {} });
  });

  it('reads the reuse rule, agents at once and a budget (thousands separators allowed)', () => {
    expect(parseRunOptions({ cacheRule: 'prefix', concurrency: ' 2 ', budget: '50,000' })).toEqual({
      ok: true,
      options: { cacheRule: 'prefix', limits: { maxConcurrentAgents: 2, budgetTokens: 50_000 } },
    });
  });

  it('refuses what the engine cannot take, in words', () => {
    expect(parseRunOptions({ ...DEFAULT_RUN_OPTIONS, concurrency: '0' })).toMatchObject({ ok: false });
    expect(parseRunOptions({ ...DEFAULT_RUN_OPTIONS, concurrency: '1.5' })).toMatchObject({ ok: false });
    expect(parseRunOptions({ ...DEFAULT_RUN_OPTIONS, concurrency: '99' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('1 to 16'),
    });
    expect(parseRunOptions({ ...DEFAULT_RUN_OPTIONS, budget: '-5' })).toMatchObject({ ok: false });
    expect(parseRunOptions({ ...DEFAULT_RUN_OPTIONS, budget: 'lots' })).toMatchObject({ ok: false });
  });
});
