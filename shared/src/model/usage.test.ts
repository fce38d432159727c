import { describe, expect, it } from 'vitest';
import { cacheSavingsOf, costOf, modelPrice } from './providers.ts';
import { normaliseUsage } from './usage.ts';

describe('normaliseUsage', () => {
  it('reads DeepSeek cache hit/miss and reasoning tokens', () => {
    expect(
      normaliseUsage({
        prompt_tokens: 1000,
        completion_tokens: 50,
        prompt_cache_hit_tokens: 768,
        prompt_cache_miss_tokens: 232,
        completion_tokens_details: { reasoning_tokens: 20 },
      }),
    ).toEqual({ reported: true, prompt: 1000, completion: 50, reasoning: 20, cacheHit: 768, cacheMiss: 232 });
  });
  it('reads OpenAI cached_tokens and derives the miss', () => {
    expect(
      normaliseUsage({
        prompt_tokens: 2006,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 1920 },
        completion_tokens_details: { reasoning_tokens: 128 },
      }),
    ).toEqual({ reported: true, prompt: 2006, completion: 300, reasoning: 128, cacheHit: 1920, cacheMiss: 86 });
  });
  it('leaves cache fields undefined when the provider says nothing about its cache', () => {
    const u = normaliseUsage({ prompt_tokens: 10, completion_tokens: 2 });
    expect(u).toEqual({ reported: true, prompt: 10, completion: 2, reasoning: 0 });
    expect('cacheHit' in u).toBe(false);
  });
  it('reports no usage as not reported, never as a zero-cost call', () => {
    for (const raw of [undefined, null, {}, 'x']) expect(normaliseUsage(raw).reported).toBe(false);
    expect(costOf(normaliseUsage(undefined), modelPrice('deepseek', 'deepseek-chat'))).toBeUndefined();
  });
});

describe('prices', () => {
  it('costs cache hits at the cached-input price and counts the savings', () => {
    const price = modelPrice('deepseek', 'deepseek-chat');
    const usage = normaliseUsage({
      prompt_tokens: 1_000_000,
      completion_tokens: 1_000_000,
      prompt_cache_hit_tokens: 500_000,
      prompt_cache_miss_tokens: 500_000,
    });
    expect(costOf(usage, price)).toBeCloseTo(0.5 * 0.28 + 0.5 * 0.028 + 0.42, 6);
    expect(cacheSavingsOf(usage, price)).toBeCloseTo(0.5 * (0.28 - 0.028), 6);
    expect(modelPrice('ollama', 'llama3')).toEqual({ input: 0, cachedInput: 0, output: 0 });
    expect(modelPrice('openai', 'unknown-model')).toBeUndefined();
  });
});
