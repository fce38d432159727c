// The wall in front of every runner request, HTTP or WebSocket upgrade, checked before any
// routing or body parsing: Host in the allowlist (DNS rebinding), Origin in the allowlist when
// present (cross-site pages), a valid token, and a JSON content type for bodies (a cross-site
// text/plain POST needs no preflight). Pure over the request head, so it is easy to test.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { RUNNER_ERROR_HEADER, type RunnerErrorBody } from '@boocode/shared/runner/runner-error';

export interface WallConfig {
  token: string;
  /** Exact Host header values, lower case, e.g. `127.0.0.1:8788`. */
  allowedHosts: readonly string[];
  /** Exact origins, e.g. `http://127.0.0.1:8787`. */
  allowedOrigins: readonly string[];
}

export interface WallRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Header names and values as sent; Node keeps only the first of a repeated Host or Origin. */
  rawHeaders?: readonly string[];
  /** True for `Upgrade: websocket`: the token may then come as a query param or subprotocol. */
  upgrade: boolean;
}

export type WallVerdict =
  | { allowed: true; preflight: boolean; corsOrigin?: string }
  | { allowed: false; status: 401 | 403 | 415; body: RunnerErrorBody };

/** Subprotocol prefix a browser WebSocket uses to carry the token (it cannot set headers). */
export const TOKEN_SUBPROTOCOL_PREFIX = 'boocode-token.';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function tokensEqual(given: string, expected: string): boolean {
  // Hash both so timingSafeEqual gets equal lengths and the comparison time says nothing.
  return timingSafeEqual(digest(given), digest(expected));
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value; // a repeated Host or Origin is refused
}

function presentedToken(request: WallRequest): string | undefined {
  const auth = single(request.headers.authorization);
  const bearer = auth?.match(/^Bearer ([A-Za-z0-9._~+/=-]+)$/)?.[1];
  if (bearer) return bearer;
  if (!request.upgrade) return undefined;
  const query = new URL(request.url, 'http://runner.invalid').searchParams.get('token');
  if (query) return query;
  const protocols = single(request.headers['sec-websocket-protocol'])?.split(',') ?? [];
  return protocols
    .map((p) => p.trim())
    .find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
    ?.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
}

function refuse(status: 401 | 403 | 415, code: RunnerErrorBody['code'], message: string): WallVerdict {
  return { allowed: false, status, body: { code, message } };
}

const SINGLE_HEADERS = new Set(['host', 'origin', 'authorization', 'content-type']);

function repeatsSingleHeader(rawHeaders: readonly string[]): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]?.toLowerCase() ?? '';
    if (!SINGLE_HEADERS.has(name)) continue;
    if (seen.has(name)) return true;
    seen.add(name);
  }
  return false;
}

export function checkWall(request: WallRequest, config: WallConfig): WallVerdict {
  if (repeatsSingleHeader(request.rawHeaders ?? [])) {
    return refuse(403, 'FORBIDDEN_HOST', 'Host, Origin, Authorization and Content-Type may each appear only once.');
  }
  const host = single(request.headers.host)?.toLowerCase();
  if (!host || !config.allowedHosts.includes(host)) {
    return refuse(403, 'FORBIDDEN_HOST', 'This Host is not allowed to reach the runner.');
  }
  const origin = single(request.headers.origin);
  const hasOrigin = request.headers.origin !== undefined;
  if (hasOrigin && (origin === undefined || !config.allowedOrigins.includes(origin))) {
    return refuse(403, 'FORBIDDEN_ORIGIN', 'This Origin is not allowed to reach the runner.');
  }
  // A CORS preflight carries no credentials by design; it does no work, and the real request
  // that follows must still bring the token. Only allowed origins get CORS headers.
  if (request.method === 'OPTIONS' && origin !== undefined && request.headers['access-control-request-method']) {
    return { allowed: true, preflight: true, corsOrigin: origin };
  }
  const token = presentedToken(request);
  if (token === undefined || !tokensEqual(token, config.token)) {
    return refuse(403, 'UNAUTHORIZED', 'A valid runner token is required (Authorization: Bearer <token>).');
  }
  if (BODY_METHODS.has(request.method) && !request.upgrade) {
    const type = single(request.headers['content-type'])?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      return refuse(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json.');
    }
  }
  return { allowed: true, preflight: false, corsOrigin: origin };
}

const EXPOSED_HEADERS = [
  'retry-after',
  'retry-after-ms',
  'x-request-id',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  RUNNER_ERROR_HEADER,
].join(', ');

export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, accept, x-boocode-provider',
    'access-control-max-age': '600',
    // What the model proxy passes on from the provider, and the mark on the runner's own refusals.
    'access-control-expose-headers': EXPOSED_HEADERS,
    // Chromium's Local Network Access / Private Network Access preflight, allowed origins only.
    'access-control-allow-private-network': 'true',
  };
}
