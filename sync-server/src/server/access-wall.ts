// The sync server's wall, in front of every request (HTTP and WebSocket upgrade) before any handler:
// the request line must be origin-form, Host must be one of the server's own names (DNS rebinding),
// and the MATCHED route decides whether a token is needed: every route needs it unless it opts out
// by name (`config: { access: 'public' }`). Deciding on the matched route, never on the raw URL,
// is the point: Fastify decodes `/%61pi/...` and strips absolute-form before routing, so a prefix
// check on `req.url` could be walked around.
import type { AccessError, AccessErrorCode } from '@boocode/shared/protocol/access';
import { CLOSE_REASONS, CLOSE_UNAUTHORIZED } from '@boocode/shared/protocol/sync';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { tokenMatches, tokenOfRequest } from './token.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `'token'` (the default when absent): the request needs the server's token. `'public'`: anyone
     * who passed the Host check (the app shell and its files, /healthz).
     */
    access?: 'token' | 'public';
    /** Set by the wall on WebSocket routes: a refused upgrade is accepted and closed with 4401. */
    closesRefusedSocket?: boolean;
  }
}

export interface AccessWallOptions {
  token: string;
  /** Exact Host values accepted, lower case; filled in once the port is known (before listening). */
  allowedHosts: () => readonly string[];
}

type SocketHandler = (this: unknown, socket: WebSocket, request: FastifyRequest) => unknown;

/** Node keeps only the first of a repeated Host; the wall refuses the request instead. */
function repeatsHost(rawHeaders: readonly string[]): boolean {
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === 'host') seen++;
  return seen > 1;
}

function refuse(reply: FastifyReply, status: 400 | 401 | 403, code: AccessErrorCode, message: string) {
  const body: AccessError = { code, message: `The sync server refused this request: ${message}` };
  return reply.code(status).send(body);
}

/**
 * The wall, in two steps whose order matters and is checked: `wrapSocketRoutes` before
 * @fastify/websocket is registered (it must see WebSocket handlers before that plugin takes them
 * over), `guardRequests` after it (its onRequest hook tells upgrades apart) and after the security
 * headers (so refusals carry them too).
 */
export class AccessWall {
  /** Requests the wall let through to a WebSocket route; anything else that reaches one is closed. */
  private readonly granted = new WeakSet<FastifyRequest>();
  private wrapping = false;

  constructor(private readonly opts: AccessWallOptions) {}

  wrapSocketRoutes(app: FastifyInstance): void {
    if (app.hasDecorator('websocketServer')) throw new Error('wrapSocketRoutes must run before @fastify/websocket');
    this.wrapping = true;
    const granted = this.granted;
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!route.websocket || !methods.includes('GET')) return;
      const handler = route.handler as unknown as SocketHandler;
      route.config = { ...route.config, closesRefusedSocket: true };
      // The stock y-websocket client stops reconnecting on 4401; an HTTP 401 would have it retry forever.
      route.handler = function guardedSocket(this: unknown, socket: WebSocket, request: FastifyRequest) {
        if (!granted.has(request)) {
          socket.close(CLOSE_UNAUTHORIZED, CLOSE_REASONS[CLOSE_UNAUTHORIZED]);
          return;
        }
        return handler.call(this, socket, request);
      } as unknown as typeof route.handler;
    });
  }

  guardRequests(app: FastifyInstance): void {
    if (!this.wrapping || !app.hasDecorator('websocketServer')) {
      throw new Error('guardRequests must run after wrapSocketRoutes and @fastify/websocket');
    }
    app.addHook('onRequest', async (request, reply) => this.check(request, reply));
  }

  private async check(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    // Origin-form only: an absolute URL in the request line is for proxies, and its authority would
    // bypass the Host check below.
    if (!request.raw.url?.startsWith('/')) {
      return refuse(reply, 400, 'ABSOLUTE_FORM_REFUSED', 'the request line must be a path, not a full URL.');
    }
    const host = request.headers.host?.toLowerCase();
    if (repeatsHost(request.raw.rawHeaders) || !host || !this.opts.allowedHosts().includes(host)) {
      return refuse(reply, 403, 'FORBIDDEN_HOST', 'this Host is not one of its names.');
    }
    const route = request.routeOptions;
    // No matching route: only the not-found handler runs, which serves the app shell or a 404.
    if (route.url === undefined) return;
    if (route.config.access === 'public') return;
    // A browser WebSocket cannot set headers, so the sync socket may carry the token as `?token=`.
    const query = request.ws ? new URL(request.raw.url, 'http://sync.invalid').searchParams : new URLSearchParams();
    if (tokenMatches(this.opts.token, tokenOfRequest(request.headers, query))) {
      if (request.ws) this.granted.add(request);
      return;
    }
    if (request.ws && route.config.closesRefusedSocket) return; // upgraded, then closed with 4401
    return refuse(reply, 401, 'UNAUTHORIZED', 'a valid token is required (Authorization: Bearer <token>).');
  }
}
