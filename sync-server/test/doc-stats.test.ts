// Kept row counts (issue 18.6): start-up reads each doc's count from doc_stats and doc_snapshots instead of
// counting doc_updates, so the kept count must always equal what counting the rows gives: after single
// writes, merged group commits, writes through a socket (with NOTIFY on Postgres), compaction, a restart,
// and an upgrade from a database that had rows but no counts.
import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDatabase } from '../src/persistence/database.ts';
import { UpdateWriter } from '../src/persistence/groupCommit.ts';
import { runMigrations } from '../src/persistence/migrations.ts';
import { applyStoredDoc, compactDoc, loadStoredDoc } from '../src/persistence/updateLog.ts';
import { connectClient, randomDocName, waitFor, waitSynced } from './support/clients.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

/** Per doc: rows counted in doc_updates, and the kept count (stored_rows - merged_rows). */
async function countsOf(pool: pg.Pool, docs: string[]) {
  const res = await pool.query<{ doc: string; counted: number; kept: number }>(
    `SELECT d.doc,
       (SELECT count(*) FROM doc_updates u WHERE u.doc = d.doc)::int AS counted,
       (coalesce((SELECT stored_rows FROM doc_stats s WHERE s.doc = d.doc), 0)
        - coalesce((SELECT merged_rows FROM doc_snapshots p WHERE p.doc = d.doc), 0))::int AS kept
     FROM unnest($1::text[]) AS d(doc) ORDER BY d.doc`,
    [docs],
  );
  return res.rows;
}

async function expectKeptEqualsCounted(pool: pg.Pool, docs: string[], what: string) {
  const rows = await countsOf(pool, docs);
  for (const r of rows) expect(r.kept, `${what}: ${r.doc}`).toBe(r.counted);
  return rows;
}

function updatesOf(n: number, key: string): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < n; i++) doc.getArray(key).push([i]);
  return out;
}

describe.each(storageBackends)('kept row counts on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('the kept count equals counting the rows after writes, merged batches, compaction and a restart', async () => {
    const a = randomDocName('stats-a');
    const b = randomDocName('stats-b');
    const docs = [a, b];
    let server = await startServer(target, { compactAfterUpdates: Number.MAX_SAFE_INTEGER });
    try {
      const writer = new UpdateWriter(server.pool);
      const ua = updatesOf(300, 'a');
      const ub = updatesOf(300, 'b');
      // One commit per update: one row each.
      for (let i = 0; i < 5; i++) {
        await writer.append(a, ua[i]!);
        await writer.append(b, ub[i]!);
      }
      let rows = await expectKeptEqualsCounted(server.pool, docs, 'single writes');
      expect(rows.map((r) => r.counted)).toEqual([5, 5]);
      // Many at once: group commits merge each doc's updates into one row per transaction.
      await Promise.all([
        ...ua.slice(5, 200).map((u) => writer.append(a, u)),
        ...ub.slice(5).map((u) => writer.append(b, u)),
      ]);
      rows = await expectKeptEqualsCounted(server.pool, docs, 'merged batches');
      expect(rows[0]!.counted).toBeLessThan(200);
      // Through a socket: the server's own writer (with NOTIFY in the statement on Postgres).
      const client = connectClient(server.url, a, { token: TEST_TOKEN, stored: true });
      await waitSynced(client);
      for (let i = 0; i < 20; i++) client.doc.getMap('m').set(`k${i}`, i);
      await waitFor(
        () => client.stored !== null && Y.snapshotContainsUpdate(client.stored, Y.encodeStateAsUpdate(client.doc)),
        'the socket writes stored',
      );
      client.destroy();
      await expectKeptEqualsCounted(server.pool, docs, 'socket writes');
      // Compaction moves every row into the snapshot; rows written after it are counted again.
      expect((await server.compact(a)).merged).toBeGreaterThan(0);
      rows = await expectKeptEqualsCounted(server.pool, docs, 'after compaction');
      expect(rows.find((r) => r.doc === a)!.counted).toBe(0);
      for (const u of ua.slice(200)) await writer.append(a, u);
      await expectKeptEqualsCounted(server.pool, docs, 'writes after compaction');
      expect((await server.compact(a)).merged).toBe(100);
      expect((await server.compact(b)).merged).toBeGreaterThan(0);
      await expectKeptEqualsCounted(server.pool, docs, 'second compaction');
      await writer.append(b, updatesOf(1, 'late')[0]!);
      await server.close();
      server = await startServer(target, { compactAfterUpdates: Number.MAX_SAFE_INTEGER });
      rows = await expectKeptEqualsCounted(server.pool, docs, 'after a restart');
      expect(rows.map((r) => r.counted)).toEqual([0, 1]);
      const loaded = new Y.Doc();
      applyStoredDoc(loaded, await loadStoredDoc(server.pool, a), null);
      expect(loaded.getArray('a').length).toBe(300);
      expect(loaded.getMap('m').size).toBe(20);
    } finally {
      await server.close();
    }
  });

  it("loads a doc's rows in seq order (numeric, not text: row 10 after row 9) with its counts", async () => {
    const name = randomDocName('order');
    const server = await startServer(target);
    try {
      const updates = updatesOf(4, 'a');
      // Seqs whose text order differs from their numeric order.
      const seqs = [9, 10, 11, 100];
      for (const [i, u] of updates.entries()) {
        await server.pool.query(
          `WITH ins AS (INSERT INTO doc_updates (doc, seq, bytes) VALUES ($1, $2, $3) RETURNING doc)
           INSERT INTO doc_stats (doc, stored_rows) SELECT doc, 1 FROM ins
           ON CONFLICT (doc) DO UPDATE SET stored_rows = doc_stats.stored_rows + 1`,
          [name, seqs[i], u],
        );
      }
      const stored = await loadStoredDoc(server.pool, name);
      expect(stored.updates.map((u) => Buffer.from(u).toString('hex'))).toEqual(
        updates.map((u) => Buffer.from(u).toString('hex')),
      );
      expect(stored.maxSeq).toBe('100');
      expect(stored.storedRows).toBe('4');
      expect(stored.mergedRows).toBe('0');
    } finally {
      await server.close();
    }
  });

  it('compaction reads its pages in numeric seq order and merges every row', async () => {
    const name = randomDocName('pages');
    const server = await startServer(target, { compactAfterUpdates: Number.MAX_SAFE_INTEGER });
    try {
      const updates = updatesOf(5, 'a');
      // Text order (10, 100, 1000, 11, 9) differs from numeric order, across pages of 2 rows.
      const seqs = [9, 10, 11, 100, 1000];
      for (const [i, u] of updates.entries()) {
        await server.pool.query(
          `WITH ins AS (INSERT INTO doc_updates (doc, seq, bytes) VALUES ($1, $2, $3) RETURNING doc)
           INSERT INTO doc_stats (doc, stored_rows) SELECT doc, 1 FROM ins
           ON CONFLICT (doc) DO UPDATE SET stored_rows = doc_stats.stored_rows + 1`,
          [name, seqs[i], u],
        );
      }
      expect((await compactDoc(server.pool, name, { pageRows: 2 })).merged).toBe(5);
      await expectKeptEqualsCounted(server.pool, [name], 'after a paged compaction');
      expect((await countsOf(server.pool, [name]))[0]!.counted).toBe(0);
      const loaded = new Y.Doc();
      applyStoredDoc(loaded, await loadStoredDoc(server.pool, name), null);
      expect(loaded.getArray('a').toArray()).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await server.close();
    }
  });

  it('counts the rows of a database from before the counts once, when it is upgraded', async () => {
    const fresh = await backend.create();
    const db = await openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: fresh.dataDir });
    const docs = ['old-a', 'old-b', 'old-c'];
    try {
      // The schema as version 1 left it, with rows and a snapshot written by the old code.
      await db.pool.query(`
        CREATE TABLE schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
        INSERT INTO schema_migrations (version) VALUES (1);
        CREATE TABLE doc_updates (doc text NOT NULL, seq bigserial NOT NULL, bytes bytea NOT NULL,
          time timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (doc, seq));
        CREATE TABLE doc_snapshots (doc text PRIMARY KEY, bytes bytea NOT NULL, upto_seq bigint NOT NULL,
          time timestamptz NOT NULL DEFAULT now());`);
      const ua = updatesOf(7, 'a');
      for (const u of ua) await db.pool.query('INSERT INTO doc_updates (doc, bytes) VALUES ($1, $2)', ['old-a', u]);
      await db.pool.query('INSERT INTO doc_updates (doc, bytes) VALUES ($1, $2)', ['old-b', updatesOf(1, 'b')[0]]);
      // old-c: compacted by the old code, so a snapshot and no rows.
      await db.pool.query('INSERT INTO doc_snapshots (doc, bytes, upto_seq) VALUES ($1, $2, 0)', [
        'old-c',
        updatesOf(1, 'c')[0],
      ]);
      await runMigrations(db.pool);
      const rows = await expectKeptEqualsCounted(db.pool, docs, 'after the upgrade');
      expect(rows.map((r) => r.counted)).toEqual([7, 1, 0]);
      // Running the migrations again (the next start) counts nothing twice.
      await runMigrations(db.pool);
      await expectKeptEqualsCounted(db.pool, docs, 'after a second start');
      const writer = new UpdateWriter(db.pool);
      await writer.append('old-c', updatesOf(1, 'c2')[0]!);
      await expectKeptEqualsCounted(db.pool, docs, 'a write after the upgrade');
    } finally {
      await db.close();
      await fresh.cleanup();
    }
  });
});
