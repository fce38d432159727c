// Model proxy: POST /v1/chat/completions and GET /v1/models forwarded to the provider the request names
// (X-BooCode-Provider), with the key the runner holds, so keys never enter a page or a synced doc.
// What a client needs comes back: the upstream status, content-type, Retry-After, the request id and
// rate-limit headers, and the stream as it arrives. A stream the provider cuts (even before its first byte)
// is cut here too, never turned into a 500 of the runner's own; the runner's own refusals say they are its.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { providerName } from '@boocode/shared/model/providers';
import { PROVIDER_HEADER } from '@boocode/shared/runner/provider-config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ProviderStore } from './provider-store.ts';
import { parseBody } from './request-body.ts';
import { RunnerError } from './runner-error.ts';

export interface ModelProxyDeps {
  store: ProviderStore;
  fetch?: typeof fetch;
  /** How long the provider may take to answer (status and headers); default 120 s. */
  responseTimeoutMs?: number;
}

/** Upstream headers a client may read (the rest, cookies and provider internals included, stay behind). */
const PASSED = /^(content-type|retry-after|retry-after-ms|x-request-id|request-id|(x-)?ratelimit-[a-z0-9-]+)$/;

export function registerModelProxy(app: FastifyInstance, deps: ModelProxyDeps): void {
  const { store } = deps;
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.responseTimeoutMs ?? 120_000;

  const pick = (request: FastifyRequest) => {
    const header = request.headers[PROVIDER_HEADER];
    const entry = store.known(typeof header === 'string' ? header : (store.defaultId() ?? ''));
    const key = store.keyFor(entry);
    if (entry.needsKey && !key)
      throw new RunnerError(
        'NO_API_KEY',
        `The runner has no API key for ${entry.label}: add it in Settings → Model${entry.apiKeyEnv ? ` (or set ${entry.apiKeyEnv} for the runner)` : ''}.`,
        409,
      );
    return { entry, key };
  };

  const forward = async (request: FastifyRequest, reply: FastifyReply, path: string, body?: unknown) => {
    const { entry, key } = pick(request);
    // A client that goes away (the user pressed stop) ends the upstream call too.
    const abort = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    let upstream: Response;
    try {
      upstream = await doFetch(`${entry.baseUrl.replace(/\/+$/, '')}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          'content-type': 'application/json',
          accept: request.headers.accept ?? '*/*',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort.signal,
      });
    } catch (error) {
      if (timedOut)
        throw new RunnerError(
          'PROVIDER_TIMEOUT',
          `${providerName(entry)} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
          504,
        );
      throw new RunnerError(
        'PROVIDER_UNREACHABLE',
        `The runner could not reach ${providerName(entry)} at ${entry.baseUrl}: ${causeOf(error)}.`,
        502,
      );
    } finally {
      clearTimeout(timer);
    }
    // From here the answer is the provider's, streamed as it comes: Fastify steps aside.
    reply.hijack();
    const headers: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (PASSED.test(name.toLowerCase())) headers[name.toLowerCase()] = value;
    });
    headers['content-type'] ??= 'application/json';
    reply.raw.writeHead(upstream.status, headers);
    if (!upstream.body) return void reply.raw.end();
    // The status goes out now, as the provider's did: a body cut before its first byte is then a cut stream
    // for the client, not a refused connection it would send again.
    reply.raw.flushHeaders();
    // A body the provider cuts is cut for the client too: no [DONE], no finish, so it reads as a cut stream.
    await pipeline(Readable.fromWeb(upstream.body as NodeReadableStream), reply.raw).catch(() => reply.raw.destroy());
  };

  // The body is the provider's business; the proxy only insists on a JSON object.
  const chatBodySchema = z.record(z.string(), z.unknown());
  app.post('/v1/chat/completions', (request, reply) =>
    forward(request, reply, '/chat/completions', parseBody(chatBodySchema, request.body)),
  );
  app.get('/v1/models', (request, reply) => forward(request, reply, '/models'));
}

function causeOf(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
