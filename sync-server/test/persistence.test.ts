import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { connectClient, randomDocName, waitFor, waitSynced } from './support/clients.ts';
import { openRaw } from './support/rawSocket.ts';
import { spawnServer } from './support/serverProcess.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

describe.each(storageBackends)('persistence on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('R6 a doc survives a server restart: a fresh client receives everything', async () => {
    const name = randomDocName();
    let server = await startServer(target);
    const a = connectClient(server.url, name, { token: TEST_TOKEN });
    await waitSynced(a);
    a.doc.getText('t').insert(0, 'persisted');
    a.doc.getMap('m').set('deleted', 1);
    a.doc.getMap('m').delete('deleted');
    a.doc.getMap('m').set('kept', 2);
    await server.flush();
    await waitFor(() => server.stats().pendingWrites === 0 && a.provider.synced, 'written');
    a.destroy();
    await server.close();

    server = await startServer(target);
    try {
      const b = connectClient(server.url, name, { token: TEST_TOKEN });
      await waitSynced(b);
      await waitFor(() => b.doc.getText('t').toString() === 'persisted', 'state after restart');
      expect(b.doc.getMap('m').toJSON()).toEqual({ kept: 2 });
      b.destroy();
    } finally {
      await server.close();
    }
  });

  it('R15 an idle doc is evicted from memory and reloads with all its state', async () => {
    const name = randomDocName();
    const server = await startServer(target, { docIdleMs: 20 });
    try {
      const a = connectClient(server.url, name, { token: TEST_TOKEN, stored: true });
      await waitSynced(a);
      a.doc.getArray('a').push(['x', 'y']);
      await waitFor(
        () => a.stored !== null && Y.snapshotContainsUpdate(a.stored, Y.encodeStateAsUpdate(a.doc)),
        'stored',
      );
      a.destroy();
      await waitFor(() => server.stats().loadedDocs === 0, 'doc evicted');
      const b = connectClient(server.url, name, { token: TEST_TOKEN });
      await waitFor(() => b.doc.getArray('a').length === 2, 'reloaded');
      expect(server.stats().loadedDocs).toBe(1);
      b.destroy();
    } finally {
      await server.close();
    }
  });

  it('R6 SIGTERM stops the server gracefully after storing every update it had received', async () => {
    const name = randomDocName();
    const proc = await spawnServer({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, token: TEST_TOKEN });
    // A raw peer sends many updates, then a sync step 1: the server answers it only after it has
    // taken in every earlier frame, so at the answer all updates were received (not necessarily stored).
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 300; i++) doc.getArray('log').push([i]);
    const raw = openRaw(proc.url, `${name}?token=${TEST_TOKEN}`);
    await raw.opened;
    for (const u of updates) {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 0);
      syncProtocol.writeUpdate(e, u);
      raw.ws.send(encoding.toUint8Array(e));
    }
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    syncProtocol.writeSyncStep1(e, new Y.Doc());
    raw.ws.send(encoding.toUint8Array(e));
    await waitFor(
      () =>
        raw.messages.some((m) => {
          const d = decoding.createDecoder(m);
          return decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === syncProtocol.messageYjsSyncStep2;
        }),
      'step 2 answer',
    );
    expect(await proc.kill('SIGTERM')).toBe(0);
    raw.ws.terminate();

    const server = await startServer(target);
    try {
      const b = connectClient(server.url, name, { token: TEST_TOKEN });
      await waitSynced(b);
      expect(b.doc.getArray('log').length).toBe(300);
      b.destroy();
    } finally {
      await server.close();
    }
  });
});
