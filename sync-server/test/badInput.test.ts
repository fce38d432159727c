import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { connectClient, randomDocName, type TestClient, waitFor, waitSynced } from './support/clients.ts';
import { openRaw } from './support/rawSocket.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

const MAX_UPDATE = 64 * 1024;

function updateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  syncProtocol.writeUpdate(e, update);
  return encoding.toUint8Array(e);
}

describe.each(storageBackends)('bad input on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let server: SyncServer;
  let name: string;
  let a: TestClient;
  let b: TestClient;

  beforeAll(async () => {
    target = await backend.create();
    server = await startServer(target, { maxUpdateBytes: MAX_UPDATE });
    name = randomDocName();
    a = connectClient(server.url, name, { token: TEST_TOKEN });
    b = connectClient(server.url, name, { token: TEST_TOKEN });
    await Promise.all([waitSynced(a), waitSynced(b)]);
  });
  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    await server?.close();
    await target?.cleanup();
  });

  /** The server is up and the well-behaved peers still sync both ways. */
  async function othersUnaffected(mark: string) {
    a.doc.getArray<string>('marks').push([`a-${mark}`]);
    b.doc.getArray<string>('marks').push([`b-${mark}`]);
    const both = (d: Y.Doc) => d.getArray<string>('marks').toArray();
    await waitFor(
      () => both(a.doc).includes(`b-${mark}`) && both(b.doc).includes(`a-${mark}`),
      `peers still sync after ${mark}`,
    );
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  }

  it('R10 malformed, truncated and unknown frames close only that socket with 4400', async () => {
    const realUpdate = (() => {
      const d = new Y.Doc();
      d.getText('t').insert(0, 'some text that makes a real update');
      return Y.encodeStateAsUpdate(d);
    })();
    const truncatedFrame = updateFrame(realUpdate).slice(0, 12); // length prefix promises more
    const frames: [string, Uint8Array | string][] = [
      ['empty frame', new Uint8Array()],
      ['varint running off the end', new Uint8Array([0xff, 0xff, 0xff])],
      ['truncated update frame', truncatedFrame],
      ['frame whose update is garbage', updateFrame(realUpdate.slice(0, realUpdate.length - 7))],
      ['unknown message type', new Uint8Array([42, 1, 2, 3])],
      ['unknown sync step', new Uint8Array([0, 9, 0])],
      ['garbage awareness', new Uint8Array([1, 5, 1, 2, 3, 4, 5])],
      ['text frame', 'hello'],
    ];
    for (const [what, frame] of frames) {
      const raw = openRaw(server.url, `${name}?token=${TEST_TOKEN}`);
      await raw.opened;
      raw.ws.send(frame);
      const closed = await raw.closed;
      expect(closed, what).toEqual({ code: 4400, reason: 'MALFORMED_MESSAGE' });
    }
    await othersUnaffected('malformed');
    const rows = await server.pool.query('SELECT bytes FROM doc_updates WHERE doc = $1', [name]);
    // Nothing undecodable was stored: every stored row is a valid update.
    for (const row of rows.rows) expect(() => Y.decodeUpdate(row.bytes)).not.toThrow();
  });

  it('R8 a wrong or missing token is refused with 4401 before any doc is loaded; Bearer works', async () => {
    const before = server.stats().loadedDocs;
    const fresh = randomDocName();
    for (const path of [`${fresh}?token=wrong`, fresh]) {
      const raw = openRaw(server.url, path);
      expect(await raw.closed).toEqual({ code: 4401, reason: 'UNAUTHORIZED' });
    }
    const wrongBearer = openRaw(server.url, fresh, { authorization: 'Bearer nope' });
    expect((await wrongBearer.closed).code).toBe(4401);
    expect(server.stats().loadedDocs).toBe(before);

    const bearer = openRaw(server.url, fresh, { authorization: `Bearer ${TEST_TOKEN}` });
    await bearer.opened;
    await waitFor(() => bearer.messages.length > 0, 'sync step 1 from the server');
    bearer.ws.close();

    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toEqual({ ok: true, storage: backend.name });
    expect((await fetch(`${server.url}/api/chats/${fresh}/traces`)).status).toBe(401);
    await othersUnaffected('token');
  });

  it('R9 a doc name outside [A-Za-z0-9:_-]{1,128} is refused with 4404', async () => {
    const before = server.stats().loadedDocs;
    for (const bad of ['has%20space', 'a/b', 'x'.repeat(129), 'caf%C3%A9', '.', '']) {
      const raw = openRaw(server.url, `${bad}?token=${TEST_TOKEN}`);
      expect(await raw.closed, bad).toEqual({ code: 4404, reason: 'INVALID_DOC_NAME' });
    }
    // Broken percent-encoding is refused by the HTTP layer before the upgrade.
    expect(await openRaw(server.url, `%E0%A4%A?token=${TEST_TOKEN}`).refusedStatus).toBe(400);
    expect(server.stats().loadedDocs).toBe(before);
    const ok = connectClient(server.url, `session:${'a'.repeat(100)}_-`, { token: TEST_TOKEN });
    await waitSynced(ok);
    ok.destroy();
    await othersUnaffected('doc-name');
  });

  it('R11 an update over the size limit is refused with 4413 and not stored; the stock client stops retrying', async () => {
    const big = connectClient(server.url, name, { token: TEST_TOKEN });
    await waitSynced(big);
    const closes: number[] = [];
    big.provider.on('connection-close', (event) => {
      if (event) closes.push(event.code);
    });
    big.doc.getText('big').insert(0, 'x'.repeat(MAX_UPDATE + 10));
    await waitFor(() => closes.includes(4413), 'closed with 4413');
    // Past the hard frame cap the socket layer refuses it (1009) before decoding.
    const raw = openRaw(server.url, `${name}?token=${TEST_TOKEN}`);
    await raw.opened;
    raw.ws.send(new Uint8Array(2 * MAX_UPDATE + 128 * 1024));
    expect((await raw.closed).code).toBe(1009);
    await othersUnaffected('oversized');
    expect(a.doc.getText('big').length).toBe(0);
    const rows = await server.pool.query('SELECT max(length(bytes))::int AS n FROM doc_updates WHERE doc = $1', [name]);
    expect(rows.rows[0].n ?? 0).toBeLessThan(MAX_UPDATE);
    big.destroy();
  });
});
