// The small enums of the provider registry that cross boundaries (Dexie settings, runner payloads), as
// runtime schemas with their types inferred; providers.ts and provider-config.ts both build on them.
import { z } from 'zod';

/** Through the runner (which holds keys and can reach any server), or directly from the page (loopback only). */
export const providerAccessSchema = z.enum(['runner', 'direct']);
export type ProviderAccess = z.infer<typeof providerAccessSchema>;

/**
 * How an agent with a JSON Schema asks: `response_format: json_schema` (the server constrains the answer),
 * a forced call of a `respond` tool whose parameters are the schema, or the schema in words.
 */
export const structuredOutputModeSchema = z.enum(['json_schema', 'tool', 'words']);
export type StructuredOutputMode = z.infer<typeof structuredOutputModeSchema>;
