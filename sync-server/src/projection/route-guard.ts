// The authorisation hook the server hands to the read and blob routes, and how a refusal looks.
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Decides whether a request may proceed (token check, and for `/api/chats/:id/...` access to that
 * session). Returning false answers 401 UNAUTHORIZED; throwing an error with a `statusCode` answers that.
 */
export type Authorize = (request: FastifyRequest) => boolean | Promise<boolean>;

export function authorizeHook(authorize: Authorize) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (await authorize(request)) return;
    await reply.code(401).send({ code: 'UNAUTHORIZED', message: 'A valid token is required.' });
  };
}
