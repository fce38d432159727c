// How each kind of OpenAI-compatible server shapes its stream, so the app is tested against all of them:
// where usage goes (on the finish chunk like DeepSeek, in a `choices: []` chunk after it like OpenAI and
// Ollama, or nowhere), whether other chunks carry `usage: null`, what the reasoning field is called, how
// prompt-cache hits are counted, and whether `response_format: json_schema` is honoured.
import { z } from 'zod';

export const UsageModeSchema = z.enum(['deepseek', 'openai', 'ollama', 'vllm', 'null', 'none']);
export type UsageMode = z.infer<typeof UsageModeSchema>;

export interface WireShape {
  /** `every-chunk`: running totals on each chunk (vLLM's continuous_usage_stats), so a cut still leaves figures. */
  usage: 'finish-chunk' | 'separate-chunk' | 'every-chunk' | 'never';
  /** OpenAI: "all other chunks will also include a usage field, but with a null value". */
  nullUsageOnChunks: boolean;
  reasoningField: 'reasoning_content' | 'reasoning';
  cache: 'deepseek' | 'openai' | 'none';
  /** False: `response_format: json_schema` is refused with a 400, as DeepSeek does. */
  jsonSchema: boolean;
}

export const WIRE_SHAPES: Record<UsageMode, WireShape> = {
  deepseek: {
    usage: 'finish-chunk',
    nullUsageOnChunks: false,
    reasoningField: 'reasoning_content',
    cache: 'deepseek',
    jsonSchema: false,
  },
  openai: {
    usage: 'separate-chunk',
    nullUsageOnChunks: true,
    reasoningField: 'reasoning_content',
    cache: 'openai',
    jsonSchema: true,
  },
  ollama: {
    usage: 'separate-chunk',
    nullUsageOnChunks: false,
    reasoningField: 'reasoning',
    cache: 'none',
    jsonSchema: true,
  },
  vllm: {
    usage: 'every-chunk',
    nullUsageOnChunks: false,
    reasoningField: 'reasoning_content',
    cache: 'none',
    jsonSchema: true,
  },
  null: {
    usage: 'never',
    nullUsageOnChunks: true,
    reasoningField: 'reasoning_content',
    cache: 'none',
    jsonSchema: true,
  },
  none: {
    usage: 'never',
    nullUsageOnChunks: false,
    reasoningField: 'reasoning_content',
    cache: 'none',
    jsonSchema: true,
  },
};

/** The scripted models, each named for the server it imitates. */
export const MODEL_USAGE: Record<string, UsageMode> = {
  'scripted-deepseek': 'deepseek',
  'scripted-openai': 'openai',
  'scripted-ollama': 'ollama',
  'scripted-vllm': 'vllm',
  'scripted-null-usage': 'null',
  'scripted-no-usage': 'none',
};

export const SCRIPTED_MODELS = Object.keys(MODEL_USAGE);

export function usageModeOfModel(model: string): UsageMode {
  return MODEL_USAGE[model] ?? 'deepseek';
}
