/**
 * Why the sync server refused a request before any route ran: the HTTP body of a 400/401/403/404
 * from its access wall (the WebSocket equivalent is the close codes in `./sync.ts`).
 */
import { z } from 'zod';

export const AccessErrorCode = z.enum([
  /** No token, or not this server's (`Authorization: Bearer <token>`; `?token=` on the sync socket only). */
  'UNAUTHORIZED',
  /** The Host header is not one of this server's names (DNS rebinding), is missing, or is repeated. */
  'FORBIDDEN_HOST',
  /** The request line names a full URL (`GET http://host/path`): only a proxy takes those. */
  'ABSOLUTE_FORM_REFUSED',
  /** No route answers this method and path. */
  'NOT_FOUND',
]);
export type AccessErrorCode = z.infer<typeof AccessErrorCode>;

export const AccessError = z.object({ code: AccessErrorCode, message: z.string() });
export type AccessError = z.infer<typeof AccessError>;
