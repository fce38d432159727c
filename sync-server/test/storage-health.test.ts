// /healthz speaks for the database too (issue 15.10): a server whose storage does not answer is not ok.
import { embeddedBackend, type StorageTarget } from '@boocode/testkit/databases/storage-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { startServer } from './support/servers.ts';

describe('/healthz on the embedded database', () => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let server: SyncServer;
  beforeAll(async () => {
    target = await embeddedBackend.create();
    server = await startServer(target);
  });
  afterAll(async () => {
    await server?.close();
    await target?.cleanup();
  });

  it('answers 200 with the storage kind while the database answers', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, storage: 'embedded' });
  });

  it('answers 503 naming storage while the database does not answer, and 200 again after', async () => {
    // The embedded pool has one connection: holding it is a database that no longer answers the server.
    const held = await server.pool.connect();
    try {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body).toMatchObject({ ok: false, storage: 'unreachable', backend: 'embedded' });
      expect(body.error).toContain('SELECT 1');
    } finally {
      held.release();
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
