// The one provider registry: every model server BooCode knows out of the box (its base URL, how it is
// reached, whether it needs a key, whether its URL may be edited, whether it lists models, which models take
// images, prices, and how it honours a JSON Schema), and the rules a user's own entry follows. The page, the
// runner and the engine all read this file; API keys are never here (the runner holds them).
// Prices are USD per million tokens as published by the provider; a model without a known price gets no cost.
import type { Usage } from '../doc/session-schema.ts';
import type { ProviderAccess, StructuredOutputMode } from './provider-kinds.ts';
import { isDirectlyCallable } from './provider-url.ts';

export type { ProviderAccess, StructuredOutputMode } from './provider-kinds.ts';

export interface ModelPrice {
  /** USD per 1M prompt tokens that missed the cache. */
  input: number;
  /** USD per 1M prompt tokens served from the cache. */
  cachedInput: number;
  /** USD per 1M completion tokens (reasoning included). */
  output: number;
}

export type PresetId = 'deepseek' | 'openai' | 'openrouter' | 'ollama' | 'lmstudio' | 'openai-compatible' | 'scripted';
/** A preset's id, or the id of a user's own entry (see customProviderIdOf). */
export type ProviderId = string;

export interface ProviderEntry {
  id: ProviderId;
  label: string;
  /** The name in a sentence ("Ollama rejected the API key"), when the label is longer. */
  shortLabel?: string;
  baseUrl: string;
  /** How it is reached by default: through the runner (which holds keys) or directly from the page. */
  access: ProviderAccess;
  /** True when a call without a key is refused by the runner before it leaves (the server would say 401). */
  needsKey: boolean;
  /** Env variable the runner reads the key from when none is stored. */
  apiKeyEnv?: string;
  /** Local servers run on other ports and hosts; a cloud API's URL is fixed. */
  editableBaseUrl: boolean;
  /** Whether `GET {baseUrl}/models` lists models (the picker's source). */
  listsModels: boolean;
  defaultModel?: string;
  models: Record<string, ModelPrice>;
  /** Models not in `models` cost nothing (a server on the user's own machine). */
  freeUnlisted?: boolean;
  /**
   * Which models take images: `true` all, `false` none, a list those (others none). Absent: unknown (local
   * servers and routers serve any model), and the UI says it may not take them.
   */
  vision?: boolean | readonly string[];
  /** How an agent with a JSON Schema asks this server (see structured-request.ts). */
  structuredOutput: StructuredOutputMode;
  /** Models that differ from `structuredOutput`. */
  structuredOutputByModel?: Record<string, StructuredOutputMode>;
  /** True for the scripted test model: the UI must label it so, never pass it off as real. */
  scripted?: boolean;
  /** 'preset' from this registry, 'custom' the user's own (stored in the runner). */
  origin: 'preset' | 'custom';
}

/** A preset: an entry whose id is one of the registry's own. */
export type ProviderPreset = ProviderEntry & { id: PresetId; origin: 'preset' };

const DEEPSEEK: ModelPrice = { input: 0.28, cachedInput: 0.028, output: 0.42 };

const local = (
  id: PresetId,
  label: string,
  shortLabel: string,
  baseUrl: string,
  structuredOutput: StructuredOutputMode,
) =>
  ({
    id,
    label,
    shortLabel,
    baseUrl,
    access: 'direct',
    needsKey: false,
    editableBaseUrl: true,
    listsModels: true,
    models: {},
    freeUnlisted: true,
    structuredOutput,
    origin: 'preset',
  }) satisfies ProviderPreset;

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  {
    id: 'deepseek',
    label: 'DeepSeek',
    baseUrl: 'https://api.deepseek.com',
    access: 'runner',
    needsKey: true,
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    editableBaseUrl: false,
    listsModels: true,
    defaultModel: 'deepseek-chat',
    models: { 'deepseek-chat': DEEPSEEK, 'deepseek-reasoner': DEEPSEEK },
    // The chat API takes text only.
    vision: false,
    // DeepSeek takes `json_object` but not a JSON Schema; a forced tool call carries the schema.
    structuredOutput: 'tool',
    origin: 'preset',
  },
  {
    id: 'openai',
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    access: 'runner',
    needsKey: true,
    apiKeyEnv: 'OPENAI_API_KEY',
    editableBaseUrl: false,
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
    structuredOutput: 'json_schema',
    origin: 'preset',
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    access: 'runner',
    needsKey: true,
    apiKeyEnv: 'OPENROUTER_API_KEY',
    editableBaseUrl: false,
    listsModels: true,
    defaultModel: 'deepseek/deepseek-chat',
    models: { 'deepseek/deepseek-chat': DEEPSEEK },
    // JSON Schema support depends on the model behind the router; tool calls are the wider common ground.
    structuredOutput: 'tool',
    origin: 'preset',
  },
  local('ollama', 'Ollama (local)', 'Ollama', 'http://127.0.0.1:11434/v1', 'json_schema'),
  local('lmstudio', 'LM Studio (local)', 'LM Studio', 'http://127.0.0.1:1234/v1', 'json_schema'),
  local('openai-compatible', 'vLLM / llama.cpp server', 'The local server', 'http://127.0.0.1:8000/v1', 'json_schema'),
  {
    id: 'scripted',
    label: 'Scripted model (tests and demo, not a real model)',
    shortLabel: 'The scripted model',
    baseUrl: 'http://127.0.0.1:8790/v1',
    access: 'direct',
    needsKey: false,
    editableBaseUrl: true,
    listsModels: true,
    defaultModel: 'scripted-deepseek',
    // Priced like deepseek-chat so cost and cache-savings displays can be exercised offline.
    models: {
      'scripted-deepseek': DEEPSEEK,
      'scripted-openai': DEEPSEEK,
      'scripted-ollama': DEEPSEEK,
      'scripted-vllm': DEEPSEEK,
      'scripted-null-usage': DEEPSEEK,
      'scripted-no-usage': DEEPSEEK,
    },
    scripted: true,
    // It records what it is sent, images included, so the attachment path can be tested end to end.
    vision: true,
    // Each scripted model imitates a server: scripted-deepseek refuses a JSON Schema format as DeepSeek does.
    structuredOutput: 'tool',
    structuredOutputByModel: {
      'scripted-openai': 'json_schema',
      'scripted-ollama': 'json_schema',
      'scripted-vllm': 'json_schema',
    },
    origin: 'preset',
  },
];

export const DEFAULT_PROVIDER: PresetId = 'deepseek';

export function findPreset(id: string | undefined): ProviderPreset | undefined {
  return PROVIDER_PRESETS.find((x) => x.id === id);
}

export function providerPreset(id: string): ProviderPreset {
  const p = findPreset(id);
  if (!p) throw new Error(`unknown provider preset ${id}`);
  return p;
}

/** The price of a model: the entry's own, a local server's zero price, or undefined (unknown: no cost shown). */
export function modelPrice(provider: ProviderId | ProviderEntry, model: string): ModelPrice | undefined {
  const p = typeof provider === 'string' ? findPreset(provider) : provider;
  if (!p) return undefined;
  return p.models[model] ?? (p.freeUnlisted ? { input: 0, cachedInput: 0, output: 0 } : undefined);
}

/** Whether a model takes image parts: true, false, or undefined when nobody knows (local and custom servers). */
export function modelSupportsVision(provider: ProviderId | ProviderEntry, model: string): boolean | undefined {
  const p = typeof provider === 'string' ? findPreset(provider) : provider;
  const v = p?.vision;
  if (v === undefined || typeof v === 'boolean') return v;
  return v.includes(model);
}

/** How an agent with a JSON Schema asks this entry's `model`. */
export function structuredOutputOf(entry: ProviderEntry | undefined, model: string): StructuredOutputMode {
  if (!entry) return 'words';
  return entry.structuredOutputByModel?.[model] ?? entry.structuredOutput;
}

/**
 * Whether this page may call the entry itself: only a keyless server on this machine's loopback (the app's
 * Content-Security-Policy allows nothing else, and a key must never enter the page). Everything else goes
 * through the runner.
 */
export function directAllowed(entry: Pick<ProviderEntry, 'needsKey' | 'baseUrl'>, hasKey = false): boolean {
  return !entry.needsKey && !hasKey && isDirectlyCallable(entry.baseUrl);
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

/** The provider's name as a sentence uses it. */
export function providerName(entry: Pick<ProviderEntry, 'label' | 'shortLabel'>): string {
  return entry.shortLabel ?? entry.label;
}
