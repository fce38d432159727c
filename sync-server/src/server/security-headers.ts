// Security headers on every response of the sync server (the app shell, its files, the SPA fallback,
// the APIs, refusals), set by @fastify/helmet in an onRequest hook. The Content-Security-Policy allows
// only what the built client does: scripts and workers from this origin (QuickJS compiles wasm, hence
// 'wasm-unsafe-eval', still no eval), connections to this origin (http and the sync socket), to
// loopback (the runner on 127.0.0.1, a local model server) and to whatever the operator adds.
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** Loopback on any port: the runner, its command socket, and local model servers. */
const LOOPBACK_SOURCES = ['http://127.0.0.1:*', 'ws://127.0.0.1:*', 'http://localhost:*', 'ws://localhost:*'];

export interface SecurityHeadersOptions {
  /** More `connect-src` sources (a model server elsewhere, another sync server), e.g. `https://llm.example`. */
  connectSources?: readonly string[];
  /** Where browsers send CSP violation reports (`report-uri`); none when unset. */
  reportUri?: string | undefined;
}

export function contentSecurityPolicyDirectives(opts: SecurityHeadersOptions = {}): Record<string, string[]> {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'worker-src': ["'self'"],
    'connect-src': ["'self'", ...LOOPBACK_SOURCES, ...(opts.connectSources ?? [])],
    // blob: shows attachments held locally, data: small inline icons.
    'img-src': ["'self'", 'data:', 'blob:'],
    'style-src': ["'self'"],
    'font-src': ["'self'", 'data:'],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  if (opts.reportUri) directives['report-uri'] = [opts.reportUri];
  return directives;
}

export async function registerSecurityHeaders(app: FastifyInstance, opts: SecurityHeadersOptions = {}) {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicyDirectives(opts) },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // HSTS belongs to whoever terminates TLS in front of a public name, not to a local http server
    // (and its includeSubDomains would bind the user's other subdomains).
    strictTransportSecurity: false,
  });
}
