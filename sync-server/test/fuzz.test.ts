import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { connectClient, randomDocName, type TestClient, waitFor, waitSynced } from './support/clients.ts';
import { PLAIN_EDITS, randomEdit } from './support/random-updates.ts';
import { testSeed, withSeed } from './support/seed.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

const CLIENTS = 4;
const STEPS = 120;

function content(doc: Y.Doc): string {
  return JSON.stringify({
    t: doc.getText('t').toString(),
    a: doc.getArray('a').toJSON(),
    // Map key order is insertion order, which differs between replicas: compare sorted.
    m: Object.entries(doc.getMap('m').toJSON()).sort(([a], [b]) => a.localeCompare(b)),
  });
}

describe.each(storageBackends)('seeded random run on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let server: SyncServer | null = null;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    await target?.cleanup();
  });

  it('R16 random edits, disconnects, reconnects and restarts converge to one state (replay with SEED)', async () => {
    const seed = testSeed();
    await withSeed(`fuzz on ${backend.name}`, seed, async (rng) => {
      const opts = { compactAfterUpdates: 15, docIdleMs: 30 };
      server = await startServer(target, opts);
      const port = server.port;
      const name = randomDocName('fuzz');
      for (let i = 0; i < CLIENTS; i++) clients.push(connectClient(server.url, name, { token: TEST_TOKEN }));
      let restarts = 0;
      for (let step = 0; step < STEPS; step++) {
        const c = prng.oneOf(rng, clients);
        const roll = prng.int32(rng, 0, 99);
        if (roll < 60) {
          // Edits happen online and offline alike.
          randomEdit(rng, c.doc, `s${step}`, PLAIN_EDITS);
        } else if (roll < 70) {
          if (c.provider.shouldConnect) c.provider.disconnect();
        } else if (roll < 80) {
          if (!c.provider.shouldConnect) c.provider.connect();
        } else if (roll < 84) {
          await server.close();
          server = await startServer(target, { ...opts, port });
          restarts++;
        } else {
          // Let frames flow for a moment.
          await new Promise((r) => setTimeout(r, prng.int32(rng, 0, 20)));
        }
      }
      for (const c of clients) if (!c.provider.shouldConnect) c.provider.connect();
      await waitFor(
        () => clients.every((c) => c.provider.synced && content(c.doc) === content(clients[0]!.doc)),
        `all ${CLIENTS} clients converge (after ${restarts} restarts)`,
        30_000,
      ).catch((err: Error) => {
        const state = clients.map((c) => ({
          synced: c.provider.synced,
          connected: c.provider.wsconnected,
          content: content(c.doc),
        }));
        err.message += `\n${JSON.stringify(state, null, 1)}`;
        throw err;
      });
      await waitFor(
        () => clients.every((c) => Y.equalSnapshots(Y.snapshot(c.doc), Y.snapshot(clients[0]!.doc))),
        'identical snapshots',
      );
      // What the server stored is the same state: restart and load it into a fresh client.
      await server.close();
      server = await startServer(target, opts);
      const fresh = connectClient(server.url, name, { token: TEST_TOKEN });
      clients.push(fresh);
      await waitSynced(fresh);
      expect(content(fresh.doc)).toBe(content(clients[0]!.doc));
    });
  }, 90_000);
});
