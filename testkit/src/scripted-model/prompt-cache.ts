// Prompt-cache accounting: a request's cached prefix is the longest prefix of its serialized prompt shared
// with any earlier request, at ~4 characters per token (the estimate the cache-shape segmenter uses). How
// much of it counts as a hit follows the server: DeepSeek in whole 64-token units; OpenAI only for prompts
// of at least 1024 tokens, in steps of 128; servers without a prompt cache report none.

export const CACHE_UNIT_TOKENS = 64;
export const OPENAI_CACHE_MIN_TOKENS = 1024;
export const OPENAI_CACHE_STEP_TOKENS = 128;
const CHARS_PER_TOKEN = 4;
const MAX_REMEMBERED = 500;

export type CacheRule = 'deepseek' | 'openai' | 'none';

export interface CacheAccount {
  promptTokens: number;
  hitTokens: number;
  missTokens: number;
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The prompt as one string in the order a provider sees it: system, tool schemas, then the conversation. */
export function serializePrompt(messages: Array<{ role: string }>, tools: unknown): string {
  const system = messages.filter((m) => m.role === 'system');
  const rest = messages.filter((m) => m.role !== 'system');
  return [
    ...system.map((m) => JSON.stringify(m)),
    JSON.stringify(tools ?? []),
    ...rest.map((m) => JSON.stringify(m)),
  ].join('\n');
}

/** Tokens of a shared prefix that a server with this rule reports as cached. */
export function cachedTokens(rule: CacheRule, prefixTokens: number, promptTokens: number): number {
  if (rule === 'none') return 0;
  if (rule === 'openai') {
    if (promptTokens < OPENAI_CACHE_MIN_TOKENS || prefixTokens < OPENAI_CACHE_MIN_TOKENS) return 0;
    return Math.floor(prefixTokens / OPENAI_CACHE_STEP_TOKENS) * OPENAI_CACHE_STEP_TOKENS;
  }
  return Math.floor(prefixTokens / CACHE_UNIT_TOKENS) * CACHE_UNIT_TOKENS;
}

export class PromptCache {
  private prompts: string[] = [];

  account(prompt: string, rule: CacheRule = 'deepseek'): CacheAccount {
    let best = 0;
    for (const p of this.prompts) best = Math.max(best, commonPrefixLength(p, prompt));
    const promptTokens = estimateTokens(prompt);
    const prefixTokens = Math.min(promptTokens, Math.floor(best / CHARS_PER_TOKEN));
    const hitTokens = Math.min(promptTokens, cachedTokens(rule, prefixTokens, promptTokens));
    this.prompts.push(prompt);
    if (this.prompts.length > MAX_REMEMBERED) this.prompts.shift();
    return { promptTokens, hitTokens, missTokens: promptTokens - hitTokens };
  }

  reset(): void {
    this.prompts = [];
  }
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
