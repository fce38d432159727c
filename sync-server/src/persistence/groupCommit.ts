/**
 * Group commit for `doc_updates`: updates that arrive while a transaction is in flight wait and
 * are written together by the next one (one multi-row INSERT, one commit), so throughput does not
 * collapse to one fsync per update; each doc's updates of one transaction are merged into one row
 * (Y.mergeUpdates). A write's promise resolves only after its COMMIT.
 */
import type pg from 'pg';
import * as Y from 'yjs';
import { withClient } from './database.ts';

export interface CommittedBatch {
  /** Seqs written per doc in this transaction (decimal strings: bigserial): usually one merged row each. */
  seqsByDoc: Map<string, string[]>;
}

/** One row to insert: one doc's updates of a transaction, merged. */
export interface MergedRow {
  doc: string;
  bytes: Uint8Array;
  /** How many queued updates the row holds. */
  updates: number;
}

export interface UpdateWriterOptions {
  /** Rows per INSERT statement; a batch larger than this uses several statements in one transaction. */
  maxRowsPerStatement?: number;
  /** Bytes per transaction; the rest waits for the next one. */
  maxBatchBytes?: number;
  /**
   * NOTIFY other instances of the rows written, in the INSERT statement itself (delivered only on
   * COMMIT): one notification per doc, payload `instanceId \t doc \t seq,seq,...`, or `*` instead of
   * the seqs when they would not fit (see fanout/pgNotify.ts, which decodes it).
   */
  notify?: { channel: string; instanceId: string };
  /** Called after COMMIT, after the writers' callbacks. */
  afterCommit?: (batch: CommittedBatch) => void;
  /**
   * Test seam (the crash test): runs inside the transaction after the rows were merged and
   * inserted, before COMMIT. Setting it makes every batch an explicit transaction.
   */
  beforeCommit?: (rows: readonly MergedRow[]) => Promise<void>;
}

/** Called synchronously after COMMIT (err undefined) or after a failed transaction. */
export type WriteDone = (err?: unknown) => void;

interface PendingWrite {
  doc: string;
  bytes: Uint8Array;
  done: WriteDone;
}

/** Postgres caps a NOTIFY payload at 8000 bytes. */
const MAX_NOTIFY_CHARS = 7000;

export class UpdateWriter {
  private queue: PendingWrite[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private readonly maxRows: number;
  private readonly maxBytes: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: UpdateWriterOptions = {},
  ) {
    this.maxRows = opts.maxRowsPerStatement ?? 1000;
    this.maxBytes = opts.maxBatchBytes ?? 32 * 1024 * 1024;
  }

  /**
   * Queues an update; `done` runs synchronously right after its COMMIT, in append order and before
   * `afterCommit`, so a caller can apply and broadcast it before anything else observes the batch.
   */
  write(doc: string, bytes: Uint8Array, done: WriteDone): void {
    this.queue.push({ doc, bytes, done });
    void this.pump();
  }

  /** Resolves once the update is durably committed; rejects if its transaction failed. */
  append(doc: string, bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.write(doc, bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** Number of updates waiting for or inside a transaction. */
  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  /** Resolves when every update appended so far has been committed (or failed). */
  flush(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        let committed: CommittedBatch;
        try {
          committed = await this.writeBatch(batch);
        } catch (err) {
          for (const w of batch) runDone(w.done, err ?? new Error('write failed'));
          continue;
        }
        for (const w of batch) runDone(w.done);
        const afterCommit = this.opts.afterCommit;
        if (afterCommit) runDone(() => afterCommit(committed));
      }
    } finally {
      this.running = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private takeBatch(): PendingWrite[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length) {
      const size = this.queue[n]!.bytes.byteLength;
      if (n > 0 && bytes + size > this.maxBytes) break;
      bytes += size;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private writeBatch(batch: PendingWrite[]): Promise<CommittedBatch> {
    const rows = mergeByDoc(batch);
    const beforeCommit = this.opts.beforeCommit;
    // One statement is its own transaction: BEGIN/COMMIT only when the batch needs several.
    const explicit = rows.length > this.maxRows || beforeCommit !== undefined;
    return withClient(this.pool, async (client) => {
      try {
        if (explicit) await client.query('BEGIN');
        const seqsByDoc = new Map<string, string[]>();
        for (let i = 0; i < rows.length; i += this.maxRows) {
          const res = await client.query<{ doc: string; seq: string }>(
            this.insertStatement(rows.slice(i, i + this.maxRows)),
          );
          for (const row of res.rows) {
            const list = seqsByDoc.get(row.doc);
            if (list) list.push(row.seq);
            else seqsByDoc.set(row.doc, [row.seq]);
          }
        }
        await beforeCommit?.(rows);
        if (explicit) await client.query('COMMIT');
        return { seqsByDoc };
      } catch (err) {
        if (explicit) await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  private insertStatement(chunk: MergedRow[]): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const rows = chunk.map((w, j) => {
      values.push(w.doc, Buffer.from(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength));
      return `($${2 * j + 1}, $${2 * j + 2})`;
    });
    // The rows and their count in one statement, so doc_stats never disagrees with doc_updates. Locks
    // on doc_stats are taken in doc order: two instances' batches over the same docs cannot deadlock.
    const withCounts = `WITH ins AS (INSERT INTO doc_updates (doc, bytes) VALUES ${rows.join(',')} RETURNING doc, seq),
      counted AS (
        INSERT INTO doc_stats (doc, stored_rows) SELECT doc, count(*) FROM ins GROUP BY doc ORDER BY doc
        ON CONFLICT (doc) DO UPDATE SET stored_rows = doc_stats.stored_rows + EXCLUDED.stored_rows)`;
    if (!this.opts.notify) return { text: `${withCounts} SELECT doc, seq FROM ins`, values };
    // Insert and notify in one round trip: the CTE is forced to run by the cross join below.
    const channel = `$${values.length + 1}`;
    const instance = `$${values.length + 2}`;
    values.push(this.opts.notify.channel, this.opts.notify.instanceId);
    const text = `${withCounts},
      payloads AS (
        SELECT doc, ${instance}::text || E'\\t' || doc || E'\\t' || string_agg(seq::text, ',' ORDER BY seq) AS p
        FROM ins GROUP BY doc),
      notified AS (
        SELECT pg_notify(${channel}::text,
          CASE WHEN length(p) <= ${MAX_NOTIFY_CHARS} THEN p ELSE ${instance}::text || E'\\t' || doc || E'\\t*' END)
        FROM payloads)
      SELECT ins.doc, ins.seq FROM ins CROSS JOIN (SELECT count(*) FROM notified) AS n`;
    return { text, values };
  }
}

/**
 * One row per doc holding all of that doc's updates in the batch, in the order the docs first
 * appear. Y.mergeUpdates keeps what the separate updates would do when applied in order (structs
 * still missing their dependencies stay pending, deletes of unknown items wait), so replaying the
 * row gives the same doc. If a doc's updates cannot be merged, they are stored one row each, as
 * before: the writes must not fail because an optimisation did.
 */
export function mergeByDoc(batch: readonly { doc: string; bytes: Uint8Array }[]): MergedRow[] {
  const byDoc = new Map<string, Uint8Array[]>();
  for (const w of batch) {
    const list = byDoc.get(w.doc);
    if (list) list.push(w.bytes);
    else byDoc.set(w.doc, [w.bytes]);
  }
  const rows: MergedRow[] = [];
  for (const [doc, updates] of byDoc) {
    if (updates.length === 1) {
      rows.push({ doc, bytes: updates[0]!, updates: 1 });
      continue;
    }
    try {
      rows.push({ doc, bytes: Y.mergeUpdates(updates), updates: updates.length });
    } catch (err) {
      console.error(`[sync-server] could not merge ${updates.length} updates of ${doc}; storing them apart:`, err);
      for (const bytes of updates) rows.push({ doc, bytes, updates: 1 });
    }
  }
  return rows;
}

function runDone(done: WriteDone, err?: unknown): void {
  try {
    done(err);
  } catch (callbackErr) {
    // A caller's bug must not stop the other writes of the batch from being acknowledged.
    console.error('[sync-server] write callback failed:', callbackErr);
  }
}
