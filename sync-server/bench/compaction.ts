/**
 * Compaction that keeps pace (issue 18.4): one doc with 100,000 stored updates (one row each, as a
 * doc written one commit at a time leaves them), loaded before and after compaction, while a writer
 * keeps storing updates to the same doc through the group-commit writer during the compaction: its
 * acknowledgement latencies show whether the compaction made it wait. Embedded always; Postgres too
 * when DATABASE_URL is set (in a database of its own, dropped after). Sizes: BENCH_COMPACT_UPDATES
 * (100000), BENCH_COMPACT_WRITE_EVERY_MS (5). `npm run bench:compaction`. Figures, not a test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createThrowawayDatabase } from '@boocode/testkit/databases/storage-backends';
import type pg from 'pg';
import * as Y from 'yjs';
import { openDatabase } from '../src/persistence/database.ts';
import { UpdateWriter } from '../src/persistence/groupCommit.ts';
import { runMigrations } from '../src/persistence/migrations.ts';
import { applyStoredDoc, compactDoc, loadStoredDoc } from '../src/persistence/updateLog.ts';

const UPDATES = Number(process.env.BENCH_COMPACT_UPDATES ?? 100_000);
const WRITE_EVERY_MS = Number(process.env.BENCH_COMPACT_WRITE_EVERY_MS ?? 5);
const DOC = 'session:ses_benchcompact';

/** A session-like history from two editors: text typed a character at a time, some deletes, keys set. */
function history(n: number): { updates: Uint8Array[]; doc: Y.Doc } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const text = doc.getText('notes');
  for (let i = 0; i < n; i++) {
    if (i % 10 === 9) doc.getMap('meta').set(`k${i % 50}`, i);
    else if (i % 10 === 8 && text.length > 0) text.delete(text.length - 1, 1);
    else text.insert(text.length, String.fromCharCode(97 + (i % 26)));
  }
  return { updates, doc };
}

/** Bulk insert, one row per update, counted as the writer counts them (when the counts exist). */
async function storeRows(pool: pg.Pool, updates: Uint8Array[]): Promise<void> {
  const counted = (await pool.query<{ t: string | null }>(`SELECT to_regclass('doc_stats')::text AS t`)).rows[0]!.t;
  for (let i = 0; i < updates.length; i += 10_000) {
    const chunk = updates.slice(i, i + 10_000).map((u) => Buffer.from(u));
    const insert = `INSERT INTO doc_updates (doc, bytes) SELECT $1, b FROM unnest($2::bytea[]) WITH ORDINALITY AS t(b, i) ORDER BY i RETURNING doc`;
    await pool.query(
      counted
        ? `WITH ins AS (${insert}) INSERT INTO doc_stats (doc, stored_rows) SELECT doc, count(*) FROM ins GROUP BY doc
           ON CONFLICT (doc) DO UPDATE SET stored_rows = doc_stats.stored_rows + EXCLUDED.stored_rows`
        : insert,
      [DOC, chunk],
    );
  }
}

async function timeLoad(pool: pg.Pool): Promise<{ readMs: number; applyMs: number; text: string }> {
  const t0 = performance.now();
  const stored = await loadStoredDoc(pool, DOC);
  const t1 = performance.now();
  const ydoc = new Y.Doc();
  applyStoredDoc(ydoc, stored, null);
  const t2 = performance.now();
  const text = ydoc.getText('notes').toString();
  ydoc.destroy();
  return { readMs: t1 - t0, applyMs: t2 - t1, text };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const f = (n: number) => n.toFixed(1);

async function runOn(storage: 'embedded' | 'postgres', adminUrl?: string) {
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-bench-compact-'));
  // Its own database on the real server (random name, dropped after): never the shared one's tables.
  const scratch = adminUrl ? await createThrowawayDatabase(adminUrl) : null;
  const databaseUrl = scratch?.url;
  const db = await openDatabase({ dataDir, databaseUrl });
  try {
    await runMigrations(db.pool);
    const { updates, doc: source } = history(UPDATES);
    await storeRows(db.pool, updates);
    const before = await timeLoad(db.pool);

    // A writer on the same doc during the compaction: one update every WRITE_EVERY_MS, each timed to its ack.
    const writer = new UpdateWriter(db.pool);
    const latencies: number[] = [];
    let writing = true;
    const pendingWrites: Promise<void>[] = [];
    const onUpdate = (u: Uint8Array) => {
      const t = performance.now();
      pendingWrites.push(writer.append(DOC, u).then(() => void latencies.push(performance.now() - t)));
    };
    source.on('update', onUpdate);
    const ticker = (async () => {
      let i = 0;
      while (writing) {
        source.getMap('during').set(`w${i}`, i++);
        await new Promise((r) => setTimeout(r, WRITE_EVERY_MS));
      }
    })();
    const c0 = performance.now();
    const { merged } = await compactDoc(db.pool, DOC);
    const compactMs = performance.now() - c0;
    writing = false;
    await ticker;
    source.off('update', onUpdate);
    await Promise.all(pendingWrites);

    const after: { readMs: number; applyMs: number; text: string }[] = [];
    for (let i = 0; i < 5; i++) after.push(await timeLoad(db.pool));
    if (after[0]!.text !== source.getText('notes').toString()) throw new Error('the compacted doc differs');
    const loaded = new Y.Doc();
    applyStoredDoc(loaded, await loadStoredDoc(db.pool, DOC), null);
    if (loaded.getMap('during').size !== source.getMap('during').size)
      throw new Error('a write during compaction is missing');
    const totals = after.map((a) => a.readMs + a.applyMs);
    console.log(
      `${storage.padEnd(8)} | load before compaction ${f(before.readMs + before.applyMs)} ms (read ${f(before.readMs)}, apply ${f(before.applyMs)}) | ` +
        `compaction of ${merged} rows ${f(compactMs)} ms | load after: median ${f(pct(totals, 0.5))} ms, max ${f(Math.max(...totals))} ms ` +
        `(read ${f(
          pct(
            after.map((a) => a.readMs),
            0.5,
          ),
        )}, apply ${f(
          pct(
            after.map((a) => a.applyMs),
            0.5,
          ),
        )})`,
    );
    console.log(
      `${storage.padEnd(8)} | ${latencies.length} writes to the doc during compaction, one every ${WRITE_EVERY_MS} ms: ack p50 ${f(pct(latencies, 0.5))} ms, ` +
        `p99 ${f(pct(latencies, 0.99))} ms, max ${f(Math.max(...latencies))} ms`,
    );
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

console.log(`compaction: one doc with ${UPDATES} stored updates (one row each)`);
await runOn('embedded');
if (process.env.DATABASE_URL) await runOn('postgres', process.env.DATABASE_URL);
