// Model providers the runner proxies to. The runner holds the API keys; a page only ever learns
// whether a key is set. Requests pick a provider with the `X-BooCode-Provider` header.
import { z } from 'zod';

export const providerIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);

export const providerConfigSchema = z.strictObject({
  id: providerIdSchema,
  /** OpenAI-compatible base URL, e.g. https://api.deepseek.com (without /v1) or https://api.openai.com/v1. */
  baseUrl: z.url(),
  /** Environment variable the key may come from when none is stored. */
  apiKeyEnv: z.string().optional(),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

export const DEFAULT_PROVIDERS: ProviderConfig[] = [
  { id: 'deepseek', baseUrl: 'https://api.deepseek.com', apiKeyEnv: 'DEEPSEEK_API_KEY' },
  { id: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' },
];

export const PROVIDER_HEADER = 'x-boocode-provider';

export const putProviderKeyBodySchema = z.strictObject({ apiKey: z.string().min(1).max(4096) });

/** `DELETE /providers/:id/key` takes `{}` (bodies are JSON, as everywhere on the runner). */
export const deleteProviderKeyBodySchema = z.strictObject({});

/**
 * What `DELETE /providers/:id/key` answers. `removed` is false when no key was stored (deleting twice is
 * fine); `hasKey` stays true when the runner still takes a key from its environment variable.
 */
export const deleteProviderKeyResponseSchema = z.object({
  id: providerIdSchema,
  removed: z.boolean(),
  hasKey: z.boolean(),
});
export type DeleteProviderKeyResponse = z.infer<typeof deleteProviderKeyResponseSchema>;

export const providerStatusSchema = z.object({
  id: providerIdSchema,
  baseUrl: z.string(),
  hasKey: z.boolean(),
  default: z.boolean(),
});
export const providerListSchema = z.object({ providers: z.array(providerStatusSchema) });
