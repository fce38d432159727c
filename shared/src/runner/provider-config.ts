// The providers the runner proxies to: the registry's presets (shared/src/model/providers.ts) plus the user's
// own entries, which the runner stores beside their keys. A page only ever learns whether a key is set.
// Requests pick a provider with the `X-BooCode-Provider` header. Endpoint payloads are defined here, once.
import { z } from 'zod';
import { structuredOutputModeSchema } from '../model/provider-kinds.ts';
import { PROVIDER_PRESETS, type ProviderEntry } from '../model/providers.ts';

export const providerIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);

/**
 * A provider as given to `createRunner({ providers })` (operators and tests): missing fields take the
 * values of a custom entry (a key is needed, JSON Schema asked in words).
 */
export const providerConfigSchema = z.strictObject({
  id: providerIdSchema,
  baseUrl: z.url(),
  label: z.string().optional(),
  /** Environment variable the key may come from when none is stored. */
  apiKeyEnv: z.string().optional(),
  needsKey: z.boolean().optional(),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

/** The registry's presets as the runner proxies them (every preset, local servers included). */
export function runnerPresets(): ProviderEntry[] {
  return PROVIDER_PRESETS.map((p) => ({ ...p, access: 'runner' as const }));
}

/** The environment variables the registry's presets take keys from (commands never see them). */
export function providerKeyEnvNames(): string[] {
  return PROVIDER_PRESETS.flatMap((p) => (p.apiKeyEnv ? [p.apiKeyEnv] : []));
}

/** An operator's or test's provider config as a registry entry. */
export function entryOfConfig(c: ProviderConfig): ProviderEntry {
  const preset = PROVIDER_PRESETS.find((p) => p.id === c.id);
  return {
    ...(preset ?? { structuredOutput: 'words' as const, listsModels: true, models: {}, editableBaseUrl: true }),
    id: c.id,
    label: c.label ?? preset?.label ?? c.id,
    baseUrl: c.baseUrl,
    access: 'runner',
    needsKey: c.needsKey ?? preset?.needsKey ?? true,
    apiKeyEnv: c.apiKeyEnv ?? preset?.apiKeyEnv,
    origin: preset ? 'preset' : 'custom',
  };
}

export const PROVIDER_HEADER = 'x-boocode-provider';

/**
 * `PUT /providers/:id`: adds or edits a custom entry, or (for a preset whose URL may be edited) moves its
 * base URL. A preset's other fields are the registry's. The URL is checked with checkBaseUrl, in words.
 */
export const providerEditSchema = z.strictObject({
  label: z.string().trim().min(1).max(60).optional(),
  baseUrl: z.string().max(2048),
  needsKey: z.boolean().optional(),
  structuredOutput: structuredOutputModeSchema.optional(),
  vision: z.boolean().optional(),
  /** The model the picker starts on for this server. */
  defaultModel: z.string().trim().min(1).max(200).optional(),
});
export type ProviderEdit = z.infer<typeof providerEditSchema>;

export const providerStatusSchema = z.object({
  id: providerIdSchema,
  label: z.string(),
  baseUrl: z.string(),
  hasKey: z.boolean(),
  /** True when the key comes from the runner's environment (the page cannot remove it). */
  keyFromEnv: z.boolean().optional(),
  needsKey: z.boolean(),
  default: z.boolean(),
  origin: z.enum(['preset', 'custom']),
  editableBaseUrl: z.boolean(),
  structuredOutput: structuredOutputModeSchema,
  vision: z.boolean().optional(),
  defaultModel: z.string().optional(),
});
export type ProviderStatus = z.infer<typeof providerStatusSchema>;
export const providerListSchema = z.object({ providers: z.array(providerStatusSchema) });

/** What `PUT /providers/:id` answers: the entry now, and whether its stored key was dropped (new server). */
export const providerEditResponseSchema = z.object({ provider: providerStatusSchema, keyDropped: z.boolean() });
export type ProviderEditResponse = z.infer<typeof providerEditResponseSchema>;

/** `DELETE /providers/:id` takes `{}`: a custom entry goes (with its key); a preset's URL goes back to the registry's. */
export const deleteProviderBodySchema = z.strictObject({});
export const deleteProviderResponseSchema = z.object({ id: providerIdSchema, removed: z.boolean() });
export type DeleteProviderResponse = z.infer<typeof deleteProviderResponseSchema>;

export const putProviderKeyBodySchema = z.strictObject({ apiKey: z.string().trim().min(1).max(4096) });

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

/** `POST /providers/:id/test`: which model to try (default: the entry's default, else the first listed). */
export const testProviderBodySchema = z.strictObject({ model: z.string().min(1).max(200).optional() });

/** A custom entry's id from its label: lower-case words joined by '-', never a preset's id. */
export function customProviderIdOf(label: string, taken: readonly string[]): string {
  const base =
    label
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'server';
  const used = new Set([...taken, ...PROVIDER_PRESETS.map((p) => p.id)]);
  let id = `custom-${base}`;
  for (let n = 2; used.has(id); n++) id = `custom-${base}-${n}`;
  return id;
}
