// Provider presets (base URL, key env, known models) and per-model prices, for the model picker and
// cost display. Prices are USD per million tokens as published by the provider; a model without a known
// price gets no cost rather than a made-up one. API keys are not here: the runner holds them.
import type { Usage } from '../doc/session-schema.ts';

export interface ModelPrice {
  /** USD per 1M prompt tokens that missed the cache. */
  input: number;
  /** USD per 1M prompt tokens served from the cache. */
  cachedInput: number;
  /** USD per 1M completion tokens (reasoning included). */
  output: number;
}

export type ProviderId =
  | 'deepseek'
  | 'openai'
  | 'openrouter'
  | 'ollama'
  | 'lmstudio'
  | 'openai-compatible'
  | 'custom'
  | 'scripted';

export interface ProviderPreset {
  id: ProviderId;
  label: string;
  baseUrl: string;
  /** Env variable the runner reads the key from; undefined for keyless local servers. */
  apiKeyEnv?: string;
  /** Whether `GET {baseUrl}/models` lists models. */
  listsModels: boolean;
  defaultModel?: string;
  models: Record<string, ModelPrice>;
  /** True for the scripted test model: the UI must label it so, never pass it off as real. */
  scripted?: boolean;
  /**
   * Which models take images: `true` all, `false` none, a list those (others none). Absent: unknown
   * (local servers and routers serve any model), and the UI says it may not take them.
   */
  vision?: boolean | readonly string[];
}

const FREE: ModelPrice = { input: 0, cachedInput: 0, output: 0 };
const DEEPSEEK: ModelPrice = { input: 0.28, cachedInput: 0.028, output: 0.42 };

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  {
    id: 'deepseek',
    label: 'DeepSeek',
    baseUrl: 'https://api.deepseek.com/v1',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    listsModels: true,
    defaultModel: 'deepseek-chat',
    models: { 'deepseek-chat': DEEPSEEK, 'deepseek-reasoner': DEEPSEEK },
    // The chat API takes text only.
    vision: false,
  },
  {
    id: 'openai',
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    listsModels: true,
    defaultModel: 'gpt-4.1-mini',
    models: {
      'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
      'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
      'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
      'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
      'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
      'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
    },
    vision: ['gpt-5', 'gpt-5-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini'],
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    listsModels: true,
    defaultModel: 'deepseek/deepseek-chat',
    models: { 'deepseek/deepseek-chat': DEEPSEEK },
  },
  { id: 'ollama', label: 'Ollama (local)', baseUrl: 'http://127.0.0.1:11434/v1', listsModels: true, models: {} },
  { id: 'lmstudio', label: 'LM Studio (local)', baseUrl: 'http://127.0.0.1:1234/v1', listsModels: true, models: {} },
  {
    id: 'openai-compatible',
    label: 'vLLM / llama.cpp server',
    baseUrl: 'http://127.0.0.1:8000/v1',
    listsModels: true,
    models: {},
  },
  { id: 'custom', label: 'Custom base URL', baseUrl: '', listsModels: false, models: {} },
  {
    id: 'scripted',
    label: 'Scripted model (tests and demo, not a real model)',
    baseUrl: 'http://127.0.0.1:8790/v1',
    listsModels: true,
    defaultModel: 'scripted-deepseek',
    // Priced like deepseek-chat so cost and cache-savings displays can be exercised offline.
    models: { 'scripted-deepseek': DEEPSEEK, 'scripted-openai': DEEPSEEK, 'scripted-no-usage': DEEPSEEK },
    scripted: true,
    // It records what it is sent, images included, so the attachment path can be tested end to end.
    vision: true,
  },
];

export const DEFAULT_PROVIDER: ProviderId = 'deepseek';

export function providerPreset(id: ProviderId): ProviderPreset {
  const p = PROVIDER_PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`unknown provider preset ${id}`);
  return p;
}

/** The price of a model: the provider's own entry, or a local server's zero price, or undefined. */
export function modelPrice(provider: ProviderId, model: string): ModelPrice | undefined {
  const p = providerPreset(provider);
  const known = p.models[model];
  if (known) return known;
  return provider === 'ollama' || provider === 'lmstudio' || provider === 'openai-compatible' ? FREE : undefined;
}

/** Whether a model takes image parts: true, false, or undefined when nobody knows (local and custom servers). */
export function modelSupportsVision(provider: ProviderId, model: string): boolean | undefined {
  const v = providerPreset(provider).vision;
  if (v === undefined || typeof v === 'boolean') return v;
  return v.includes(model);
}

/** True for model ids served by the scripted model, so the UI can label them. */
export function isScriptedModel(model: string): boolean {
  return model.startsWith('scripted-');
}

/** USD cost of one call; undefined when usage was not reported or the price is unknown. */
export function costOf(usage: Usage, price: ModelPrice | undefined): number | undefined {
  if (!usage.reported || !price) return undefined;
  const hit = usage.cacheHit ?? 0;
  const miss = usage.cacheMiss ?? usage.prompt - hit;
  return (miss * price.input + hit * price.cachedInput + usage.completion * price.output) / 1_000_000;
}

/** USD saved by cache hits compared with paying the full input price. */
export function cacheSavingsOf(usage: Usage, price: ModelPrice | undefined): number | undefined {
  if (!usage.reported || !price || usage.cacheHit === undefined) return undefined;
  return (usage.cacheHit * (price.input - price.cachedInput)) / 1_000_000;
}
