// Model proxy: POST /v1/chat/completions and GET /v1/models forwarded to a provider with the
// key the runner holds, so keys never enter a page or a synced doc. Streaming responses are
// piped through as they arrive. Only content-type travels back from the provider's headers.
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type DeleteProviderKeyResponse,
  deleteProviderKeyBodySchema,
  PROVIDER_HEADER,
  type ProviderConfig,
  providerIdSchema,
  putProviderKeyBodySchema,
} from '@boocode/shared/runner/provider-config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseBody } from './request-body.ts';
import { RunnerError } from './runner-error.ts';
import { readJsonFile, writePrivateFile } from './secret-files.ts';

export interface ModelProxyDeps {
  providers: ProviderConfig[];
  defaultProvider?: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

const storedKeysSchema = z.record(z.string(), z.string());

export async function registerModelProxy(app: FastifyInstance, deps: ModelProxyDeps): Promise<void> {
  const keysPath = join(deps.dataDir, 'provider-keys.json');
  const stored = storedKeysSchema.parse((await readJsonFile(keysPath)) ?? {});
  const doFetch = deps.fetch ?? fetch;

  const keyFor = (provider: ProviderConfig) =>
    stored[provider.id] ?? (provider.apiKeyEnv ? deps.env[provider.apiKeyEnv] : undefined);
  const defaultId = () => deps.defaultProvider ?? deps.providers.find((p) => keyFor(p))?.id ?? deps.providers[0]?.id;

  const pick = (request: FastifyRequest) => {
    const header = request.headers[PROVIDER_HEADER];
    const id = typeof header === 'string' ? header : defaultId();
    const provider = deps.providers.find((p) => p.id === id);
    if (!provider) throw new RunnerError('PROVIDER_NOT_CONFIGURED', `No provider "${id}" is configured.`, 404);
    const key = keyFor(provider);
    if (!key) throw new RunnerError('PROVIDER_NOT_CONFIGURED', `No API key is set for provider "${provider.id}".`, 409);
    return { provider, key };
  };

  const forward = async (request: FastifyRequest, reply: FastifyReply, path: string, body?: unknown) => {
    const { provider, key } = pick(request);
    // A client that goes away (the user pressed stop) ends the upstream call too.
    const abort = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    let upstream: Response;
    try {
      upstream = await doFetch(`${provider.baseUrl.replace(/\/$/, '')}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          accept: request.headers.accept ?? '*/*',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort.signal,
      });
    } catch (error) {
      throw new RunnerError('PROVIDER_UNREACHABLE', `Could not reach ${provider.id}: ${(error as Error).message}`, 502);
    }
    reply.code(upstream.status);
    reply.header('content-type', upstream.headers.get('content-type') ?? 'application/json');
    if (!upstream.body) return reply.send('');
    return reply.send(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream));
  };

  // The body is the provider's business; the proxy only insists on a JSON object.
  const chatBodySchema = z.record(z.string(), z.unknown());
  app.post('/v1/chat/completions', (request, reply) =>
    forward(request, reply, '/chat/completions', parseBody(chatBodySchema, request.body)),
  );
  app.get('/v1/models', (request, reply) => forward(request, reply, '/models'));

  app.get('/providers', async () => ({
    providers: deps.providers.map((p) => ({
      id: p.id,
      baseUrl: p.baseUrl,
      hasKey: Boolean(keyFor(p)),
      default: p.id === defaultId(),
    })),
  }));

  const knownProvider = (raw: string) => {
    const id = parseBody(providerIdSchema, raw);
    const provider = deps.providers.find((p) => p.id === id);
    if (!provider) throw new RunnerError('NOT_FOUND', `No provider "${id}" is configured on this runner.`, 404);
    return provider;
  };
  const saveKeys = () => writePrivateFile(keysPath, `${JSON.stringify(stored, null, 2)}\n`);

  app.put<{ Params: { id: string } }>('/providers/:id/key', async (request, reply) => {
    const { id } = knownProvider(request.params.id);
    stored[id] = parseBody(putProviderKeyBodySchema, request.body).apiKey;
    await saveKeys();
    return reply.code(204).send();
  });

  // Forgets the stored key; idempotent. A key from the provider's environment variable is not the
  // runner's to remove, so `hasKey` says whether one is still in force.
  app.delete<{ Params: { id: string } }>('/providers/:id/key', async (request): Promise<DeleteProviderKeyResponse> => {
    const provider = knownProvider(request.params.id);
    parseBody(deleteProviderKeyBodySchema, request.body ?? {});
    const removed = Object.hasOwn(stored, provider.id);
    if (removed) {
      delete stored[provider.id];
      await saveKeys();
    }
    return { id: provider.id, removed, hasKey: Boolean(keyFor(provider)) };
  });
}
