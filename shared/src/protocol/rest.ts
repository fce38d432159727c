/** REST payloads of the sync server, one runtime schema each; the types are inferred from them. */
import { z } from 'zod';

export const StorageKind = z.enum(['embedded', 'postgres']);
export type StorageKind = z.infer<typeof StorageKind>;

/**
 * `GET /healthz` (no token): 200 when the process is up and its database answers, with which storage
 * it uses; 503 naming the storage as unreachable (and which backend, and why) when it does not.
 */
export const HealthzResponse = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), storage: StorageKind }),
  z.object({ ok: z.literal(false), storage: z.literal('unreachable'), backend: StorageKind, error: z.string() }),
]);
export type HealthzResponse = z.infer<typeof HealthzResponse>;

/** Every error a caller can cause is a value with a stable code and a readable message. */
export const ApiError = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

export const API_ERROR_UNAUTHORIZED = 'UNAUTHORIZED';
