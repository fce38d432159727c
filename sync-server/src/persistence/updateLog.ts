/**
 * Reads and compacts the append-only update log (`doc_updates`) and its compacted form
 * (`doc_snapshots`). Invariant: a doc's state is always its snapshot plus every row left in
 * `doc_updates` for it, whatever their seq; compaction deletes exactly the rows it merged. Its rows
 * in `doc_updates` always number doc_stats.stored_rows - doc_snapshots.merged_rows (kept by the
 * writer and by compaction, each in the transaction that changes the rows).
 */
import type pg from 'pg';
import * as Y from 'yjs';
import { withClient } from './database.ts';
import { mergeOffThread } from './merge-off-thread.ts';

export interface StoredDoc {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
  /** Highest seq read (as a decimal string: bigserial), or null when the doc has no rows. */
  maxSeq: string | null;
  /** The snapshot's upto_seq (decimal string), or null without a snapshot. */
  snapshotUptoSeq?: string | null;
  /**
   * Rows ever stored for the doc and rows ever merged into its snapshot (doc_stats, doc_snapshots), read
   * in the same statement as the rows: both only grow, so together they mark what was read.
   */
  storedRows?: string;
  mergedRows?: string;
}

/** Stores one row and counts it (tests and tools that bypass the writer; the writer does the same per batch). */
export const INSERT_ONE_ROW_SQL = `WITH ins AS (INSERT INTO doc_updates (doc, bytes) VALUES ($1, $2) RETURNING doc)
  INSERT INTO doc_stats (doc, stored_rows) SELECT doc, 1 FROM ins
  ON CONFLICT (doc) DO UPDATE SET stored_rows = doc_stats.stored_rows + 1`;

/**
 * A doc's snapshot, rows and counts in one statement, so it sees one consistent view even while a
 * compaction moves rows into the snapshot. Columns: kind (0 snapshot, 1 row, 2 counts), seq, bytes, n.
 */
export const LOAD_STORED_DOC_SQL = `
  SELECT 0 AS kind, upto_seq AS seq, bytes, merged_rows AS n FROM doc_snapshots WHERE doc = $1
  UNION ALL
  SELECT 1 AS kind, seq, bytes, NULL FROM doc_updates WHERE doc = $1
  UNION ALL
  SELECT 2 AS kind, NULL, NULL, stored_rows FROM doc_stats WHERE doc = $1
  ORDER BY kind, seq`;

/** Bigints come as strings from pg, as bigint or number from other drivers: kept as decimal strings. */
export interface StoredDocRow {
  kind: number;
  seq: string | bigint | number | null;
  bytes: Uint8Array | null;
  n: string | bigint | number | null;
}

const decimal = (v: string | bigint | number | null, otherwise: string) => (v === null ? otherwise : String(v));

export function storedDocOf(rows: readonly StoredDocRow[]): StoredDoc {
  const stored: StoredDoc = {
    snapshot: null,
    updates: [],
    maxSeq: null,
    snapshotUptoSeq: null,
    storedRows: '0',
    mergedRows: '0',
  };
  for (const row of rows) {
    if (row.kind === 0) {
      stored.snapshot = row.bytes;
      stored.snapshotUptoSeq = decimal(row.seq, '0');
      stored.mergedRows = decimal(row.n, '0');
    } else if (row.kind === 1) {
      stored.updates.push(row.bytes!);
      stored.maxSeq = decimal(row.seq, '0');
    } else {
      stored.storedRows = decimal(row.n, '0');
    }
  }
  return stored;
}

export async function loadStoredDoc(pool: pg.Pool, doc: string): Promise<StoredDoc> {
  const res = await pool.query<StoredDocRow>(LOAD_STORED_DOC_SQL, [doc]);
  return storedDocOf(res.rows);
}

/**
 * Reads the given rows of one doc. `complete` is false when some were already compacted away:
 * the caller must then reload the whole doc (snapshot + rows) instead.
 */
export async function readUpdatesBySeq(
  pool: pg.Pool,
  doc: string,
  seqs: string[],
): Promise<{ updates: Uint8Array[]; complete: boolean }> {
  const res = await pool.query<{ bytes: Buffer }>(
    'SELECT bytes FROM doc_updates WHERE doc = $1 AND seq = ANY($2::bigint[]) ORDER BY seq',
    [doc, seqs],
  );
  return { updates: res.rows.map((r) => r.bytes), complete: res.rows.length === seqs.length };
}

/** Applies stored state to a Y.Doc one update at a time (about 40x faster than mergeUpdates here). */
export function applyStoredDoc(ydoc: Y.Doc, stored: StoredDoc, origin: unknown): number {
  let skipped = 0;
  const all = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
  for (const update of all) {
    try {
      Y.applyUpdate(ydoc, update, origin);
    } catch (err) {
      // Updates are validated before they are stored; a bad row must not make the doc unloadable.
      skipped++;
      console.error('[sync-server] skipped an unreadable stored update:', (err as Error).message);
    }
  }
  return skipped;
}

export interface CompactionResult {
  merged: number;
}

export interface CompactionHooks {
  /**
   * Test seam: runs after the rows were read and merged, before the snapshot is written and the rows
   * deleted. No transaction or connection is held while it runs.
   */
  afterRead?: () => Promise<void>;
  /** Rows read per statement (default 5000). */
  pageRows?: number;
}

/** Rows read per statement: on the embedded database (one connection) writes go between pages. */
const COMPACTION_PAGE_ROWS = 5000;

/**
 * Merges a doc's snapshot and rows into a new snapshot and deletes exactly the merged rows.
 * Reading and merging hold no lock and no transaction, so a client's write never waits for them (on
 * the embedded database, whose one connection everything shares, writes run between the pages read);
 * only the final write is a transaction, under a per-doc advisory lock. It is abandoned (merged: 0)
 * if another compaction of the doc committed since the read: merged_rows is the snapshot's version.
 * A row that commits after the read is not among the merged ones, so it stays in `doc_updates`.
 */
export async function compactDoc(pool: pg.Pool, doc: string, hooks: CompactionHooks = {}): Promise<CompactionResult> {
  const snap = await pool.query<{ bytes: Buffer; merged_rows: string }>(
    'SELECT bytes, merged_rows::text AS merged_rows FROM doc_snapshots WHERE doc = $1',
    [doc],
  );
  const version = snap.rows[0]?.merged_rows ?? null;
  const pageRows = hooks.pageRows ?? COMPACTION_PAGE_ROWS;
  const updates: Uint8Array[] = [];
  const seqs: string[] = [];
  for (;;) {
    // seq stays a bigint in SQL (pg hands it over as a string): ordered and compared as a number.
    const page = await pool.query<{ seq: string; bytes: Buffer }>(
      'SELECT seq, bytes FROM doc_updates WHERE doc = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [doc, seqs.at(-1) ?? '0', pageRows],
    );
    for (const row of page.rows) {
      updates.push(row.bytes);
      seqs.push(String(row.seq));
    }
    if (page.rows.length < pageRows) break;
  }
  if (seqs.length === 0) {
    await hooks.afterRead?.();
    return { merged: 0 };
  }
  // Applying 100,000 rows and encoding the result takes ~0.4 s: on a worker thread, not the sockets' loop.
  const { merged, skipped } = await mergeOffThread(snap.rows[0]?.bytes ?? null, updates);
  if (skipped > 0) console.error(`[sync-server] compaction of ${doc} skipped ${skipped} unreadable stored update(s)`);
  await hooks.afterRead?.();
  return withClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('boocode:compact:' || $1))`, [doc]);
      const now = await client.query<{ merged_rows: string }>(
        'SELECT merged_rows::text AS merged_rows FROM doc_snapshots WHERE doc = $1',
        [doc],
      );
      if ((now.rows[0]?.merged_rows ?? null) !== version) {
        await client.query('ROLLBACK');
        return { merged: 0 };
      }
      await client.query(
        `INSERT INTO doc_snapshots (doc, bytes, upto_seq, merged_rows, time) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (doc) DO UPDATE SET bytes = EXCLUDED.bytes,
           upto_seq = GREATEST(doc_snapshots.upto_seq, EXCLUDED.upto_seq),
           merged_rows = doc_snapshots.merged_rows + EXCLUDED.merged_rows, time = now()`,
        [doc, merged, seqs[seqs.length - 1], seqs.length],
      );
      const deleted = await client.query('DELETE FROM doc_updates WHERE doc = $1 AND seq = ANY($2::bigint[])', [
        doc,
        seqs,
      ]);
      // Only compaction deletes rows, and the version check excludes another one: anything else is a bug.
      if (deleted.rowCount !== seqs.length) {
        throw new Error(`compaction of ${doc} deleted ${deleted.rowCount} of ${seqs.length} rows`);
      }
      await client.query('COMMIT');
      return { merged: seqs.length };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}
