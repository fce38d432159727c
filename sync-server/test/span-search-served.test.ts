// Search across sessions as the running server serves it: spans written over the sync socket to two
// session docs are found by GET /api/spans/search, and neither that route nor /api/spans/stats answers
// anything without the token, however the path is spelt (the wall decides on the matched route).
import { sessionDocName } from '@boocode/shared/doc/names';
import { openSpan } from '@boocode/shared/doc/spans';
import { SpanSearchResponse } from '@boocode/shared/protocol/span-search';
import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, waitFor, waitSynced } from './support/clients.ts';
import { rawRequest } from './support/rawHttp.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

const SECRET = 'needle-7f3a-secret-output';

describe.each(storageBackends)('span search served on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let server: Awaited<ReturnType<typeof startServer>>;
  let host: string;

  beforeAll(async () => {
    target = await backend.create();
    server = await startServer(target);
    host = `127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.close();
    await target?.cleanup();
  });

  const search = async (params: string) => {
    const res = await rawRequest(server.port, {
      method: 'GET',
      path: `/api/spans/search?${params}`,
      headers: { host, authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(res.status, res.text).toBe(200);
    return SpanSearchResponse.parse(JSON.parse(res.text)).items;
  };

  it('finds spans of two sessions written over the socket', async () => {
    const clients = ['ses_srch_one', 'ses_srch_two'].map((id, i) => {
      const c = connectClient(server.url, sessionDocName(id), { token: TEST_TOKEN });
      return { c, id, i };
    });
    try {
      for (const { c, i } of clients) {
        await waitSynced(c);
        openSpan(c.doc, {
          id: 'spn_1',
          kind: 'tool',
          name: 'run_command',
          turn: 1,
          status: 'ok',
          startedAt: 1_800_000_000_000 + i,
          endedAt: 1_800_000_000_100,
          output: { stdout: `${SECRET} ${i}` },
        });
      }
      await waitFor(async () => (await search(`q=${SECRET}`)).length === 2, 'both spans projected');
      const hits = await search(`q=${SECRET}`);
      expect(hits.map((h) => h.sessionId)).toEqual(['ses_srch_two', 'ses_srch_one']);
      expect(hits[0]?.snippet).toContain(`${SECRET} 1`);
    } finally {
      for (const { c } of clients) c.destroy();
    }
  });

  const encoded = (s: string) => [...s].map((ch) => `%${ch.charCodeAt(0).toString(16)}`).join('');
  it.each([
    ['no token', '/api/spans/search', {}],
    ['a wrong token', '/api/spans/search', { authorization: `Bearer ${TEST_TOKEN}x` }],
    ['the token in the query string', `/api/spans/search?q=${SECRET}&token=${TEST_TOKEN}`, {}],
    ['an encoded /%61pi/ prefix', `/%61pi/spans/search?q=${SECRET}`, {}],
    ['an encoded last segment', `/api/spans/${encoded('search')}?q=${SECRET}`, {}],
    ['every character encoded', `/${encoded('api')}/${encoded('spans')}/${encoded('search')}`, {}],
    ['the stats route without a token', '/api/spans/stats', {}],
    ['the stats route, encoded', `/api/spans/${encoded('stats')}`, { authorization: 'Bearer nope' }],
  ])('refuses %s with 401 and shows nothing', async (_what, path, headers) => {
    for (const method of ['GET', 'HEAD']) {
      const res = await rawRequest(server.port, { method, path, headers: { host, ...headers } });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.text).not.toContain(SECRET);
      expect(res.text).not.toContain('run_command');
      if (method === 'GET') expect(JSON.parse(res.text).code).toBe('UNAUTHORIZED');
    }
  });

  it('answers 400 for a bad parameter only once the token is right', async () => {
    const path = '/api/spans/search?limit=9999';
    const anon = await rawRequest(server.port, { method: 'GET', path, headers: { host } });
    expect(anon.status).toBe(401);
    const res = await rawRequest(server.port, {
      method: 'GET',
      path,
      headers: { host, authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'INVALID_QUERY', message: expect.stringMatching(/limit/) });
  });
});
