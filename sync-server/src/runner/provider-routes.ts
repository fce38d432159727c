// Settings → Model's endpoints on the runner: list the providers (never a key), add, edit and remove the
// user's own, store and forget keys, and test a connection with the key the runner holds.
import { connectionReportSchema } from '@boocode/shared/model/connection-report';
import { testConnection, untestedReport } from '@boocode/shared/model/connection-test';
import { providerName } from '@boocode/shared/model/providers';
import type { FetchLike } from '@boocode/shared/model/web-platform';
import {
  type DeleteProviderKeyResponse,
  type DeleteProviderResponse,
  deleteProviderBodySchema,
  deleteProviderKeyBodySchema,
  providerEditSchema,
  providerIdSchema,
  putProviderKeyBodySchema,
  testProviderBodySchema,
} from '@boocode/shared/runner/provider-config';
import type { FastifyInstance } from 'fastify';
import type { ProviderStore } from './provider-store.ts';
import { parseBody } from './request-body.ts';

export function registerProviderRoutes(app: FastifyInstance, store: ProviderStore, fetch: FetchLike): void {
  const idOf = (raw: string) => parseBody(providerIdSchema, raw);

  app.get('/providers', async () => ({ providers: store.list().map(store.status) }));

  app.put<{ Params: { id: string } }>('/providers/:id', async (request) =>
    store.edit(idOf(request.params.id), parseBody(providerEditSchema, request.body)),
  );

  app.delete<{ Params: { id: string } }>('/providers/:id', async (request): Promise<DeleteProviderResponse> => {
    const id = idOf(request.params.id);
    parseBody(deleteProviderBodySchema, request.body ?? {});
    return { id, removed: await store.remove(id) };
  });

  app.put<{ Params: { id: string } }>('/providers/:id/key', async (request, reply) => {
    const id = idOf(request.params.id);
    await store.putKey(id, parseBody(putProviderKeyBodySchema, request.body).apiKey);
    return reply.code(204).send();
  });

  // Forgets the stored key; idempotent. A key from the provider's environment variable is not the
  // runner's to remove, so `hasKey` says whether one is still in force.
  app.delete<{ Params: { id: string } }>('/providers/:id/key', async (request): Promise<DeleteProviderKeyResponse> => {
    const id = idOf(request.params.id);
    parseBody(deleteProviderKeyBodySchema, request.body ?? {});
    return { id, ...(await store.deleteKey(id)) };
  });

  // Test connection with the key the runner holds; the report says what failed in words (no 5xx for that).
  app.post<{ Params: { id: string } }>('/providers/:id/test', async (request) => {
    const entry = store.known(idOf(request.params.id));
    const { model } = parseBody(testProviderBodySchema, request.body ?? {});
    const apiKey = store.keyFor(entry);
    if (entry.needsKey && !apiKey)
      return untestedReport(entry.label, `The runner has no API key for ${entry.label} yet: add it, then test again.`);
    const report = await testConnection({
      baseUrl: entry.baseUrl,
      apiKey,
      providerLabel: providerName(entry),
      model: model ?? entry.defaultModel,
      fetch,
    });
    return connectionReportSchema.parse(report);
  });
}
