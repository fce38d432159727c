import { adminDatabaseUrl, postgresBackend, type StorageTarget } from '@boocode/testkit/databases/storage-backends';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { connectClient, randomDocName, type TestClient, waitFor, waitSynced } from './support/clients.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

// Needs a second connection into the server's database to break it on purpose: real Postgres only.
describe.skipIf(!adminDatabaseUrl)('storage failure on real Postgres', () => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let server: SyncServer;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    target = await postgresBackend.create();
    server = await startServer(target, { poolSize: 1 });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    await target?.cleanup();
  });

  it('R1 an update whose commit fails is not broadcast; its sender reconnects and resends it', async () => {
    const name = randomDocName('fail');
    const a = connectClient(server.url, name, { token: TEST_TOKEN });
    const b = connectClient(server.url, name, { token: TEST_TOKEN });
    clients.push(a, b);
    await Promise.all([waitSynced(a), waitSynced(b)]);
    const closes: number[] = [];
    a.provider.on('connection-close', (event) => {
      if (event) closes.push(event.code);
    });

    const saboteur = new pg.Client({ connectionString: target.databaseUrl });
    await saboteur.connect();
    try {
      // Block the insert, then kill the server's connections while it waits: its commit fails.
      await saboteur.query('BEGIN');
      await saboteur.query('LOCK TABLE doc_updates IN ACCESS EXCLUSIVE MODE');
      a.doc.getText('t').insert(0, 'survives a failed commit');
      await waitFor(() => server.stats().pendingWrites > 0, 'write waiting on the lock');
      await saboteur.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      await waitFor(() => closes.includes(1011), 'sender closed with 1011');
      expect(b.doc.getText('t').toString()).toBe('');
      await saboteur.query('ROLLBACK');
    } finally {
      await saboteur.end();
    }
    // The provider reconnects on its own, resyncs, and this time the update is stored and relayed.
    await waitFor(() => b.doc.getText('t').toString() === 'survives a failed commit', 'relayed after reconnect');
    const rows = await server.pool.query('SELECT count(*)::int AS n FROM doc_updates WHERE doc = $1', [name]);
    expect(rows.rows[0].n).toBeGreaterThan(0);
  });

  it('R2 /healthz answers 503 naming storage while the database refuses connections, 200 once it is back', async () => {
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    const name = new URL(target.databaseUrl ?? '').pathname.slice(1);
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body).toMatchObject({ ok: false, storage: 'unreachable', backend: 'postgres' });
      expect(body.error).toContain('not currently accepting connections');
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
