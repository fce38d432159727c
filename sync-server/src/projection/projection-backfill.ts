// Start-up backfill of the read models: projects stored session docs whose rows are missing or behind
// (stored before the projection existed, or written while it was off), without any client opening them.
// Invariants: a doc whose storage has not changed since it was projected is never loaded again (its
// projection_progress.stored_mark equals its storage mark); rows are only ever upserted by key, so a doc
// projected twice (two instances, a live projection at the same time) is written twice, never counted twice.
import * as Y from 'yjs';
import type { StoredDoc } from '../persistence/updateLog.ts';
import { applyStoredDoc } from '../persistence/updateLog.ts';
import { projectedStateOf } from './projected-state.ts';
import { migrateProjectionTables } from './projection-tables.ts';
import type { SessionProjector } from './session-projector.ts';
import type { SqlQuery } from './sql-query.ts';

export interface BackfillOptions {
  query: SqlQuery;
  /** Reads a doc's snapshot and rows in one statement (loadStoredDoc). */
  loadDoc: (name: string) => Promise<StoredDoc>;
  /** A projector of its own: its per-doc memory is dropped after each doc. */
  projector: SessionProjector;
  /** True when the doc is loaded here: its live projection already covers it. */
  isLoaded?: (name: string) => boolean;
  /** Docs in flight at once (default 2): each holds at most one statement in the pool's queue. */
  concurrency?: number;
  /** Stops between docs; a doc in flight finishes. */
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Progress is logged at most this often (default 2 s). */
  logEveryMs?: number;
  now?: () => number;
}

export interface BackfillResult {
  /** Session docs whose stored mark differed from the recorded one. */
  candidates: number;
  /** Docs whose rows were (re)written. */
  projected: number;
  /** Docs whose rows already matched (a live projection had done it); only their mark was stamped. */
  current: number;
  /** Docs loaded on this instance, left to their live projection. */
  live: number;
  failed: number;
  stopped: boolean;
  ms: number;
}

/** How many times a doc written to while it is projected is reloaded before it is left to its live projection. */
const MAX_ATTEMPTS = 3;

// The storage mark of every stored session doc whose recorded mark differs (or is missing): the rows ever
// stored for it and ever merged into its snapshot. Both only grow, so the mark changes with every row
// stored or compacted and never comes back; an unchanged doc is skipped without being read. Read from the
// kept counts (one row per doc), never by counting doc_updates: start-up does not grow with history.
const CANDIDATES_SQL = `
  WITH stored AS (
    SELECT coalesce(st.doc, s.doc) AS doc,
           coalesce(st.stored_rows, 0)::text || ':' || coalesce(s.merged_rows, 0)::text AS mark
    FROM (SELECT doc, stored_rows FROM doc_stats WHERE doc LIKE 'session:%') st
    FULL JOIN (SELECT doc, merged_rows FROM doc_snapshots WHERE doc LIKE 'session:%') s ON s.doc = st.doc
  )
  SELECT stored.doc, stored.mark FROM stored
  LEFT JOIN projection_progress p ON p.doc = stored.doc
  WHERE p.stored_mark IS DISTINCT FROM stored.mark
  ORDER BY stored.doc`;

const MARK_SQL = `
  SELECT coalesce((SELECT stored_rows FROM doc_stats WHERE doc = $1), 0)::text || ':'
         || coalesce((SELECT merged_rows FROM doc_snapshots WHERE doc = $1), 0)::text AS mark`;

/** The mark of what `loadDoc` returned, formatted as the SQL above formats it. */
export function storedMarkOf(stored: StoredDoc): string {
  return `${stored.storedRows ?? 0}:${stored.mergedRows ?? 0}`;
}

export async function backfillProjections(opts: BackfillOptions): Promise<BackfillResult> {
  const { query } = opts;
  const log = opts.log ?? ((m: string) => console.log(`[backfill] ${m}`));
  const now = opts.now ?? Date.now;
  const started = now();
  await migrateProjectionTables(query);
  const candidates = (await query<{ doc: string; mark: string }>(CANDIDATES_SQL)).rows;
  const result: BackfillResult = {
    candidates: candidates.length,
    projected: 0,
    current: 0,
    live: 0,
    failed: 0,
    stopped: false,
    ms: 0,
  };
  if (candidates.length === 0) {
    // Said nothing: the usual start, every doc already projected.
    result.ms = now() - started;
    return result;
  }
  log(`${candidates.length} session doc(s) to check`);

  let next = 0;
  let lastLog = started;
  const logEveryMs = opts.logEveryMs ?? 2000;
  const worker = async () => {
    while (next < candidates.length) {
      if (opts.signal?.aborted) {
        result.stopped = true;
        return;
      }
      const { doc } = candidates[next++]!;
      const outcome = await backfillDoc(opts, doc).catch((err: unknown) => {
        if (!opts.signal?.aborted) log(`${doc} failed: ${(err as Error).message}`);
        return 'failed' as const;
      });
      result[outcome]++;
      const done = result.projected + result.current + result.live + result.failed;
      if (now() - lastLog >= logEveryMs) {
        lastLog = now();
        log(`${done}/${candidates.length} checked (${result.projected} projected)`);
      }
      // Between docs, let sockets and commits waiting on the event loop go first.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  result.ms = now() - started;
  log(
    `${result.stopped ? 'stopped' : 'done'}: ${candidates.length} doc(s) in ${result.ms} ms, ` +
      `${result.projected} projected, ${result.current} already current, ${result.live} live, ${result.failed} failed`,
  );
  return result;
}

async function backfillDoc(opts: BackfillOptions, name: string): Promise<'projected' | 'current' | 'live' | 'failed'> {
  const { query, projector } = opts;
  let projected = false;
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (opts.isLoaded?.(name)) return 'live';
      const stored = await opts.loadDoc(name);
      const mark = storedMarkOf(stored);
      const ydoc = new Y.Doc();
      try {
        applyStoredDoc(ydoc, stored, null);
        const state = projectedStateOf(ydoc);
        const recorded = await query<{ projected_state: string }>(
          'SELECT projected_state FROM projection_progress WHERE doc = $1',
          [name],
        );
        if (recorded.rows[0]?.projected_state !== state) {
          const res = await projector.project(name, ydoc);
          if (!res || res.failedRows > 0) return 'failed';
          projected = true;
        }
        // Written to while we projected: the rows may be older than what a live projection elsewhere wrote,
        // so read it again and project what is stored now, until the mark holds still.
        const after = await query<{ mark: string }>(MARK_SQL, [name]);
        if (after.rows[0]?.mark !== mark) continue;
        // Stamped only over the state we projected: a newer live projection keeps its NULL mark.
        await query('UPDATE projection_progress SET stored_mark = $2 WHERE doc = $1 AND projected_state = $3', [
          name,
          mark,
          state,
        ]);
        return projected ? 'projected' : 'current';
      } finally {
        ydoc.destroy();
      }
    }
    // Still being written: a doc written to is loaded on some instance, whose live projection follows it.
    return projected ? 'projected' : 'live';
  } finally {
    projector.forget(name);
  }
}
