/** REST payloads of the sync server, one runtime schema each; the types are inferred from them. */
import { z } from 'zod';

export const StorageKind = z.enum(['embedded', 'postgres']);
export type StorageKind = z.infer<typeof StorageKind>;

/** `GET /healthz` (no token): the process is up and which storage it uses. */
export const HealthzResponse = z.object({ ok: z.literal(true), storage: StorageKind });
export type HealthzResponse = z.infer<typeof HealthzResponse>;

/** Every error a caller can cause is a value with a stable code and a readable message. */
export const ApiError = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

export const API_ERROR_UNAUTHORIZED = 'UNAUTHORIZED';
