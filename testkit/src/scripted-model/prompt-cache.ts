// Prompt-cache accounting as DeepSeek does it: a request's cache hit is the longest prefix of its
// serialized prompt shared with any earlier request, counted in whole 64-token units; the rest is a miss.
// Tokens are estimated at 4 characters each, the same estimate the cache-shape segmenter uses.

export const CACHE_UNIT_TOKENS = 64;
const CHARS_PER_TOKEN = 4;
const MAX_REMEMBERED = 500;

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

export class PromptCache {
  private prompts: string[] = [];

  account(prompt: string): CacheAccount {
    let best = 0;
    for (const p of this.prompts) best = Math.max(best, commonPrefixLength(p, prompt));
    const promptTokens = estimateTokens(prompt);
    const prefixTokens = Math.floor(best / CHARS_PER_TOKEN);
    const hitTokens = Math.min(promptTokens, Math.floor(prefixTokens / CACHE_UNIT_TOKENS) * CACHE_UNIT_TOKENS);
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
