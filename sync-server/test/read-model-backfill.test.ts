// The start-up backfill of the read models: session docs stored while the projection was off (written
// here straight into doc_updates, as stored rows from before an upgrade would be) are served by the trace
// and snapshot routes after a start, without any client opening them; a second start does no work; on a
// shared Postgres two instances starting at once project each doc once between them.
import { sessionDocName } from '@boocode/shared/doc/names';
import { emptyUsageTotals } from '@boocode/shared/doc/session-schema';
import { appendSnapshot, closeSpan, openSpan } from '@boocode/shared/doc/spans';
import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { INSERT_ONE_ROW_SQL } from '../src/persistence/updateLog.ts';
import type { BackfillResult } from '../src/projection/projection-backfill.ts';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { connectClient, waitFor, waitSynced } from './support/clients.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };
const quiet = { log: () => {} };

async function traces(url: string, sessionId: string): Promise<{ id: string; status: string }[]> {
  const res = await fetch(`${url}/api/chats/${sessionId}/traces?limit=100`, { headers: auth });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { items: { id: string; status: string }[] };
  return body.items.map((s) => ({ id: s.id, status: s.status }));
}

async function snapshotTurns(url: string, sessionId: string): Promise<number[]> {
  const res = await fetch(`${url}/api/chats/${sessionId}/snapshots`, { headers: auth });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { turn: number }[] }).items.map((s) => s.turn);
}

/** A session doc whose every change is stored as one doc_updates row, as the writer stores a client's updates. */
class StoredSession {
  readonly doc = new Y.Doc();
  readonly docName: string;
  constructor(readonly sessionId: string) {
    this.docName = sessionDocName(sessionId);
  }
  async change(pool: pg.Pool, edit: (doc: Y.Doc) => void): Promise<void> {
    const updates: Uint8Array[] = [];
    const onUpdate = (u: Uint8Array) => updates.push(u);
    this.doc.on('update', onUpdate);
    this.doc.transact(() => edit(this.doc));
    this.doc.off('update', onUpdate);
    for (const u of updates) {
      await pool.query(INSERT_ONE_ROW_SQL, [this.docName, Buffer.from(u)]);
    }
  }
}

function sessionWithTurn(sessionId: string, spans: number): StoredSession {
  const s = new StoredSession(sessionId);
  s.doc.transact(() => {
    for (let i = 0; i < spans; i++) {
      openSpan(s.doc, { id: `spn_${i}`, kind: 'tool', name: 'read_file', turn: 1, startedAt: 1000 + i });
      closeSpan(s.doc, `spn_${i}`, { status: 'ok', endedAt: 1001 + i });
    }
    appendSnapshot(s.doc, {
      turn: 1,
      at: 5000,
      messageCount: 2,
      usage: emptyUsageTotals(),
      pending: [],
      outcome: 'ok',
    });
  });
  return s;
}

async function storeAll(pool: pg.Pool, sessions: StoredSession[]) {
  for (const s of sessions) {
    await pool.query(INSERT_ONE_ROW_SQL, [s.docName, Buffer.from(Y.encodeStateAsUpdate(s.doc))]);
  }
}

async function rowCounts(pool: pg.Pool) {
  const t = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tool_traces');
  const s = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM agent_snapshots');
  return { traces: t.rows[0]!.n, snapshots: s.rows[0]!.n };
}

const noWork = (r: BackfillResult | null) => ({ candidates: r?.candidates, projected: r?.projected });

describe.each(storageBackends)('read-model backfill on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('serves sessions stored while the projection was off, without a client opening them; a second start does no work', async () => {
    const fresh = sessionWithTurn('ses_bf_fresh', 3);
    const stale = new StoredSession('ses_bf_stale');
    const compacted = sessionWithTurn('ses_bf_compacted', 2);

    // Projected live once, then changed (a span closed, one deleted) while the projection was off.
    let server = await startServer(target);
    try {
      await server.backfill;
      const a = connectClient(server.url, stale.docName, { token: TEST_TOKEN });
      await waitSynced(a);
      openSpan(a.doc, { id: 'spn_a', kind: 'model', name: 'chat', turn: 1, startedAt: 10 });
      openSpan(a.doc, { id: 'spn_b', kind: 'tool', name: 'grep', turn: 1, startedAt: 11 });
      await waitFor(async () => (await traces(server.url, stale.sessionId)).length === 2, 'live projection');
      a.destroy();
      await server.flush();
    } finally {
      await server.close();
    }

    server = await startServer(target, { projection: false });
    try {
      await storeAll(server.pool, [fresh, compacted]);
      await server.compact(compacted.docName);
      // The rows of the live session, read back as they are stored, then changed behind the projection's back.
      const stored = await server.pool.query<{ bytes: Buffer }>(
        'SELECT bytes FROM doc_updates WHERE doc = $1 ORDER BY seq',
        [stale.docName],
      );
      for (const r of stored.rows) Y.applyUpdate(stale.doc, r.bytes);
      await stale.change(server.pool, (doc) => {
        closeSpan(doc, 'spn_a', { status: 'error', endedAt: 20, error: { code: 'X', message: 'boom' } });
        doc.getMap('spans').delete('spn_b');
      });
      expect(await traces(server.url, fresh.sessionId)).toEqual([]);
      expect(await server.backfill).toBeNull();
    } finally {
      await server.close();
    }

    server = await startServer(target, { backfill: quiet });
    try {
      const result = await server.backfill;
      expect(result).toMatchObject({ candidates: 3, projected: 3, failed: 0, stopped: false });
      expect(server.stats().loadedDocs).toBe(0);
      expect(await traces(server.url, fresh.sessionId)).toEqual([
        { id: 'spn_0', status: 'ok' },
        { id: 'spn_1', status: 'ok' },
        { id: 'spn_2', status: 'ok' },
      ]);
      expect(await snapshotTurns(server.url, fresh.sessionId)).toEqual([1]);
      expect(await traces(server.url, compacted.sessionId)).toHaveLength(2);
      expect(await traces(server.url, stale.sessionId)).toEqual([{ id: 'spn_a', status: 'error' }]);
    } finally {
      await server.close();
    }

    server = await startServer(target, { backfill: quiet });
    try {
      expect(noWork(await server.backfill)).toEqual({ candidates: 0, projected: 0 });
    } finally {
      await server.close();
    }
  });

  it('only stamps a doc a live projection already wrote, and picks up compaction without rewriting rows', async () => {
    const sessionId = 'ses_bf_live';
    let server = await startServer(target, { backfill: quiet });
    try {
      await server.backfill;
      const a = connectClient(server.url, sessionDocName(sessionId), { token: TEST_TOKEN });
      await waitSynced(a);
      openSpan(a.doc, { id: 'spn_1', kind: 'model', name: 'chat', turn: 1, startedAt: 1 });
      await waitFor(async () => (await traces(server.url, sessionId)).length === 1, 'live projection');
      a.destroy();
      await server.flush();
    } finally {
      await server.close();
    }

    server = await startServer(target, { backfill: quiet });
    try {
      expect(await server.backfill).toMatchObject({ candidates: 1, projected: 0, current: 1 });
      await server.compact(sessionDocName(sessionId));
    } finally {
      await server.close();
    }

    server = await startServer(target, { backfill: quiet });
    try {
      // Compaction moved the rows: the mark changed, the content did not.
      expect(await server.backfill).toMatchObject({ candidates: 1, projected: 0, current: 1 });
      expect(await traces(server.url, sessionId)).toEqual([{ id: 'spn_1', status: 'open' }]);
    } finally {
      await server.close();
    }
  });

  it('backfills many sessions a few at a time while the server answers', async () => {
    const count = 200;
    const sessions = Array.from({ length: count }, (_, i) => sessionWithTurn(`ses_bf_many_${i}`, 5));
    let server = await startServer(target, { projection: false });
    try {
      await storeAll(server.pool, sessions);
    } finally {
      await server.close();
    }
    const logs: string[] = [];
    server = await startServer(target, { backfill: { concurrency: 2, log: (m) => logs.push(m) } });
    try {
      let backfilled = false;
      void server.backfill.then(() => {
        backfilled = true;
      });
      // Sync traffic goes on while the backfill runs: a client joins, writes, and its update is stored.
      const t0 = performance.now();
      const client = connectClient(server.url, sessionDocName('ses_bf_during'), { token: TEST_TOKEN });
      await waitSynced(client);
      openSpan(client.doc, { id: 'spn_during', kind: 'model', name: 'chat', turn: 1, startedAt: 1 });
      await server.flush();
      const syncMs = Math.round(performance.now() - t0);
      expect(backfilled).toBe(false);
      client.destroy();
      const result = await server.backfill;
      console.log(`a client synced and stored an update in ${syncMs} ms while the backfill ran (${backend.name})`);
      // The client's own session may be stored before the backfill lists the docs (it waits for its lock on
      // Postgres): then it is one more candidate, left to its live projection or projected.
      expect(result?.candidates).toBeGreaterThanOrEqual(count);
      expect(result?.candidates).toBeLessThanOrEqual(count + 1);
      expect(result).toMatchObject({ failed: 0, stopped: false });
      expect(result!.projected + result!.live).toBe(result!.candidates);
      console.log(`backfill of ${count} sessions (5 spans + 1 snapshot each) on ${backend.name}: ${result?.ms} ms`);
      expect(logs.at(-1)).toMatch(/^done: 20[01] doc\(s\) in \d+ ms, 20[01] projected/);
      expect(await traces(server.url, 'ses_bf_many_199')).toHaveLength(5);
    } finally {
      await server.close();
    }
  });
});

describe.runIf(storageBackends.some((b) => b.name === 'postgres'))('read-model backfill on two instances', () => {
  const backend = storageBackends.find((b) => b.name === 'postgres')!;
  let target: StorageTarget & { cleanup(): Promise<void> };
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('projects each doc once between two instances starting at once, and the counts stay exact', async () => {
    const count = 60;
    const sessions = Array.from({ length: count }, (_, i) => sessionWithTurn(`ses_bf_two_${i}`, 3));
    const setup = await startServer(target, { projection: false });
    try {
      await storeAll(setup.pool, sessions);
    } finally {
      await setup.close();
    }
    const servers: SyncServer[] = await Promise.all([
      startServer(target, { backfill: quiet }),
      startServer(target, { backfill: quiet }),
    ]);
    try {
      const results = await Promise.all(servers.map((s) => s.backfill));
      // One took the lock and projected everything; the other waited for it and found every doc stamped.
      expect(results.map((r) => r?.candidates).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual([0, count]);
      expect(results.reduce((n, r) => n + (r?.projected ?? 0), 0)).toBe(count);
      expect(results.map((r) => r?.failed)).toEqual([0, 0]);
      expect(await rowCounts(servers[0]!.pool)).toEqual({ traces: count * 3, snapshots: count });
      expect(await traces(servers[1]!.url, 'ses_bf_two_0')).toHaveLength(3);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});
