// The read models as the running server serves them: spans written to a session doc by a stock
// y-websocket client appear in GET /api/chats/:id/traces (and snapshots in /snapshots), also after a
// restart, and the blob routes are mounted behind the token.
import { createHash } from 'node:crypto';
import { sessionDocName } from '@boocode/shared/doc/names';
import { emptyUsageTotals } from '@boocode/shared/doc/session-schema';
import { appendSnapshot, closeSpan, openSpan } from '@boocode/shared/doc/spans';
import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, waitFor, waitSynced } from './support/clients.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

async function traces(url: string, sessionId: string): Promise<{ id: string; status: string }[]> {
  const res = await fetch(`${url}/api/chats/${sessionId}/traces?limit=100`, { headers: auth });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { items: { id?: string; spanId?: string; status: string }[] };
  return body.items.map((s) => ({ id: s.id ?? s.spanId ?? '', status: s.status }));
}

describe.each(storageBackends)('served read models on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('projects spans and snapshots of a session doc edited over the socket, and keeps them across a restart', async () => {
    const sessionId = `ses_${Math.random().toString(36).slice(2, 12)}`;
    let server = await startServer(target);
    try {
      const a = connectClient(server.url, sessionDocName(sessionId), { token: TEST_TOKEN });
      await waitSynced(a);
      openSpan(a.doc, { id: 'spn_1', kind: 'model', name: 'chat', turn: 1, startedAt: 1000 });
      openSpan(a.doc, { id: 'spn_2', kind: 'tool', name: 'read_file', turn: 1, startedAt: 1100, parentId: 'spn_1' });
      closeSpan(a.doc, 'spn_2', { status: 'ok', endedAt: 1200 });
      appendSnapshot(a.doc, {
        turn: 1,
        at: 1300,
        messageCount: 2,
        usage: emptyUsageTotals(),
        pending: [],
        outcome: 'ok',
      });
      await waitFor(async () => (await traces(server.url, sessionId)).length === 2, 'spans projected');
      expect(await traces(server.url, sessionId)).toEqual([
        { id: 'spn_1', status: 'open' },
        { id: 'spn_2', status: 'ok' },
      ]);
      const snaps = await fetch(`${server.url}/api/chats/${sessionId}/snapshots`, { headers: auth });
      expect(JSON.stringify(await snaps.json())).toContain('"messageCount":2');
      closeSpan(a.doc, 'spn_1', { status: 'interrupted', endedAt: 1400 });
      await waitFor(
        async () => (await traces(server.url, sessionId))[0]?.status === 'interrupted',
        'a later change is projected',
      );
      a.destroy();
      await server.close();

      server = await startServer(target);
      expect(await traces(server.url, sessionId)).toEqual([
        { id: 'spn_1', status: 'interrupted' },
        { id: 'spn_2', status: 'ok' },
      ]);
      const noToken = await fetch(`${server.url}/api/chats/${sessionId}/traces`);
      expect(noToken.status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('serves the blob routes behind the token', async () => {
    const server = await startServer(target);
    try {
      // A 1×1 PNG.
      const png = Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
        'base64',
      );
      const sha = createHash('sha256').update(png).digest('hex');
      const put = await fetch(`${server.url}/api/blobs/${sha}`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/octet-stream' },
        body: png,
      });
      expect(put.status).toBe(201);
      const get = await fetch(`${server.url}/api/blobs/${sha}`, { headers: auth });
      expect(get.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await get.arrayBuffer()).equals(png)).toBe(true);
      expect((await fetch(`${server.url}/api/blobs/${sha}`)).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
