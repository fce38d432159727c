// Projects the spans and snapshots of `session:<id>` docs into tool_traces / agent_snapshots.
// Invariant: after project(doc) resolves, the tables hold exactly the doc's valid spans and snapshots
// (last valid version of each), whatever order edits arrived in and however often it is called.
import { createHash } from 'node:crypto';
import { parseDocName } from '@boocode/shared/doc/names';
import { SnapshotSchema, type Span, SpanSchema } from '@boocode/shared/doc/session-schema';
import { listSnapshots, listSpans } from '@boocode/shared/doc/spans';
import type * as Y from 'yjs';
import { projectedStateOf } from './projected-state.ts';
import { rowsToPostgresJson, SNAPSHOT_COLUMNS, snapshotToRow, spanToRow, TRACE_COLUMNS } from './projection-rows.ts';
import { migrateProjectionTables } from './projection-tables.ts';
import type { SqlQuery } from './sql-query.ts';

export interface SessionProjectorOptions {
  query: SqlQuery;
  /** Where skipped shapes and failed rows are reported; console.warn by default. */
  warn?: (message: string) => void;
  /** Rows per upsert statement (a statement carries its rows as one jsonb parameter). */
  batchRows?: number;
  /** Records in projection_progress what each doc was projected from (default true), for the start-up backfill. */
  recordProgress?: boolean;
}

export interface ProjectionResult {
  sessionId: string;
  spansWritten: number;
  spansUnchanged: number;
  spansDeleted: number;
  snapshotsWritten: number;
  snapshotsUnchanged: number;
  snapshotsDeleted: number;
  /** Shapes in the doc that fail the shared schemas: skipped, their last projected row kept. */
  invalidSpans: number;
  invalidSnapshots: number;
  /** Rows the database refused; they are retried on the next project() of the doc. */
  failedRows: number;
  /** projectedStateOf(doc) as this run read it. */
  projectedState: string;
}

export interface SessionProjector {
  /** Creates the tables if needed. project() calls it too; call it at start-up to fail early. */
  ready(): Promise<void>;
  /**
   * Brings the tables in line with the doc. Returns undefined for a doc that is not a session doc.
   * Calls for one doc run one after another; calls made while one is waiting share its run.
   */
  project(docName: string, doc: Y.Doc): Promise<ProjectionResult | undefined>;
  /** Drops the per-doc memory of what was written (call when the doc is unloaded). Rows stay. */
  forget(docName: string): void;
}

interface DocState {
  /** Key (span id or turn) -> hash of the row last written for it. */
  spans: Map<string, string>;
  snapshots: Map<string, string>;
  /** False until a full pass has reconciled the tables with the doc (deleting rows the doc lacks). */
  reconciled: boolean;
  /** The invalid counts last reported, as `spans/snapshots`. */
  invalidWarned: string;
}

interface Chain {
  /** The last run started or queued for the doc; the next one starts after it settles. */
  tail: Promise<unknown>;
  /** A run queued behind `tail` that has not read the doc yet. */
  queued?: Promise<ProjectionResult | undefined> | undefined;
}

export function createSessionProjector(opts: SessionProjectorOptions): SessionProjector {
  const { query } = opts;
  const warn = opts.warn ?? ((m: string) => console.warn(`[projection] ${m}`));
  const batchRows = opts.batchRows ?? 500;
  const states = new Map<string, DocState>();
  const chains = new Map<string, Chain>();

  async function run(docName: string, sessionId: string, doc: Y.Doc): Promise<ProjectionResult> {
    await migrateProjectionTables(query);
    let state = states.get(docName);
    if (!state) {
      state = { spans: new Map(), snapshots: new Map(), reconciled: false, invalidWarned: '0/0' };
      states.set(docName, state);
    }
    // Read the doc synchronously, in one go: edits that land while we write are picked up by the
    // next project() call, which the caller makes on every change.
    const spans = readSpans(doc, sessionId);
    const snapshots = readSnapshots(doc, sessionId);
    const projectedState = projectedStateOf(doc);
    const result: ProjectionResult = {
      sessionId,
      spansWritten: 0,
      spansUnchanged: 0,
      spansDeleted: 0,
      snapshotsWritten: 0,
      snapshotsUnchanged: 0,
      snapshotsDeleted: 0,
      invalidSpans: spans.invalid,
      invalidSnapshots: snapshots.invalid,
      failedRows: 0,
      projectedState,
    };
    // Said once per change in the counts, not on every projection of a doc that keeps a bad value.
    const invalidKey = `${spans.invalid}/${snapshots.invalid}`;
    if (invalidKey !== state.invalidWarned && (spans.invalid || snapshots.invalid)) {
      warn(`${docName}: skipped ${spans.invalid} span(s) and ${snapshots.invalid} snapshot(s) failing the schemas`);
    }
    state.invalidWarned = invalidKey;

    const spanSync = await syncRows({
      table: 'tool_traces',
      columns: TRACE_COLUMNS,
      keyColumn: 'span_id',
      keyType: 'text',
      sessionId,
      rows: spans.valid,
      presentKeys: spans.present,
      written: state.spans,
      reconciled: state.reconciled,
    });
    const snapSync = await syncRows({
      table: 'agent_snapshots',
      columns: SNAPSHOT_COLUMNS,
      keyColumn: 'turn',
      keyType: 'integer',
      sessionId,
      rows: snapshots.valid,
      presentKeys: snapshots.present,
      written: state.snapshots,
      reconciled: state.reconciled,
    });
    state.reconciled = true;
    result.spansWritten = spanSync.written;
    result.spansUnchanged = spanSync.unchanged;
    result.spansDeleted = spanSync.deleted;
    result.snapshotsWritten = snapSync.written;
    result.snapshotsUnchanged = snapSync.unchanged;
    result.snapshotsDeleted = snapSync.deleted;
    result.failedRows = spanSync.failed + snapSync.failed;
    // Only a complete projection is recorded: a refused row must make the backfill try the doc again.
    if (result.failedRows === 0 && opts.recordProgress !== false) await recordProgress(docName, projectedState);
    return result;
  }

  async function recordProgress(docName: string, projectedState: string) {
    // The storage mark stays only while the state is the one it was stamped for (a doc reopened unchanged).
    await query(
      `INSERT INTO projection_progress (doc, projected_state, stored_mark, projected_at) VALUES ($1, $2, NULL, now())
       ON CONFLICT (doc) DO UPDATE SET projected_state = EXCLUDED.projected_state, projected_at = now(),
         stored_mark = CASE WHEN projection_progress.projected_state = EXCLUDED.projected_state
                            THEN projection_progress.stored_mark END`,
      [docName, projectedState],
    );
  }

  interface SyncSpec {
    table: string;
    columns: readonly (readonly [string, string])[];
    keyColumn: string;
    keyType: 'text' | 'integer';
    sessionId: string;
    rows: Map<string, PreparedRow>;
    /** Every key in the doc, valid or not: a row is deleted only when its key left the doc. */
    presentKeys: Set<string>;
    written: Map<string, string>;
    reconciled: boolean;
  }

  async function syncRows(spec: SyncSpec) {
    const changed: { key: string; hash: string; row: Record<string, unknown> }[] = [];
    let unchanged = 0;
    for (const [key, { row, hash }] of spec.rows) {
      if (spec.written.get(key) === hash) unchanged++;
      else changed.push({ key, hash, row });
    }

    let deleted = 0;
    if (!spec.reconciled) {
      // First pass since start-up: the table may hold rows of keys deleted while we were down.
      const res = await query(
        `DELETE FROM ${spec.table} WHERE session_id = $1
           AND ${spec.keyColumn} NOT IN (SELECT (jsonb_array_elements_text($2::jsonb))::${spec.keyType})
         RETURNING ${spec.keyColumn}`,
        [spec.sessionId, JSON.stringify([...spec.presentKeys])],
      );
      deleted = res.rows.length;
    } else {
      const gone = [...spec.written.keys()].filter((k) => !spec.presentKeys.has(k));
      if (gone.length) {
        const res = await query(
          `DELETE FROM ${spec.table} WHERE session_id = $1
             AND ${spec.keyColumn} IN (SELECT (jsonb_array_elements_text($2::jsonb))::${spec.keyType})
           RETURNING ${spec.keyColumn}`,
          [spec.sessionId, JSON.stringify(gone)],
        );
        deleted = res.rows.length;
        for (const k of gone) spec.written.delete(k);
      }
    }

    let written = 0;
    let failed = 0;
    for (let i = 0; i < changed.length; i += batchRows) {
      const batch = changed.slice(i, i + batchRows);
      const ok = await upsertBatch(spec, batch);
      written += ok.length;
      failed += batch.length - ok.length;
      for (const item of ok) spec.written.set(item.key, item.hash);
    }
    return { written, unchanged, deleted, failed };
  }

  /** One multi-row upsert; if the database refuses it, row by row so one bad row costs only itself. */
  async function upsertBatch(spec: SyncSpec, batch: { key: string; hash: string; row: Record<string, unknown> }[]) {
    const sql = upsertSql(spec.table, spec.columns, ['session_id', spec.keyColumn]);
    try {
      await query(sql, [rowsToPostgresJson(batch.map((b) => b.row))]);
      return batch;
    } catch (err) {
      if (batch.length === 1) {
        warn(`${spec.table} ${spec.sessionId}/${batch[0]!.key}: ${(err as Error).message}`);
        return [];
      }
      const ok: typeof batch = [];
      let lastError: unknown = err;
      for (const item of batch) {
        try {
          await query(sql, [rowsToPostgresJson([item.row])]);
          ok.push(item);
        } catch (rowErr) {
          lastError = rowErr;
          warn(`${spec.table} ${spec.sessionId}/${item.key}: ${(rowErr as Error).message}`);
        }
      }
      // Nothing went in at all: the database itself is the problem (down, full), not one row.
      if (ok.length === 0) throw lastError;
      return ok;
    }
  }

  return {
    ready: () => migrateProjectionTables(query),
    project(docName, doc) {
      const parsed = parseDocName(docName);
      if (parsed?.kind !== 'session') return Promise.resolve(undefined);
      const entry = chains.get(docName) ?? { tail: Promise.resolve() };
      // A run already waiting will read the doc when it starts, so it covers this call too.
      if (entry.queued) return entry.queued;
      const start = () => {
        if (entry.queued === next) entry.queued = undefined;
        return run(docName, parsed.id, doc);
      };
      const next: Promise<ProjectionResult | undefined> = entry.tail.then(start, start);
      entry.queued = next;
      entry.tail = next;
      chains.set(docName, entry);
      const cleanup = () => {
        if (chains.get(docName) === entry && entry.tail === next) chains.delete(docName);
      };
      next.then(cleanup, cleanup);
      return next;
    },
    forget(docName) {
      states.delete(docName);
    },
  };
}

interface PreparedRow {
  row: Record<string, unknown>;
  hash: string;
}

type Prepared = { sessionId: string; key: string; prepared: PreparedRow } | { sessionId: string; invalid: true };

// A Y.Map or Y.Array hands back the same object for a value until that value is replaced, so a value seen
// before needs no new validation, row or hash: a projection after one change in a 10,000-span session
// costs a walk over the values, not 10,000 parses.
const preparedValues = new WeakMap<object, Prepared>();

function prepare(raw: unknown, sessionId: string, build: (raw: unknown) => Prepared): Prepared {
  if (raw === null || typeof raw !== 'object') return build(raw);
  const cached = preparedValues.get(raw);
  if (cached && cached.sessionId === sessionId) return cached;
  const fresh = build(raw);
  preparedValues.set(raw, fresh);
  return fresh;
}

function readSpans(doc: Y.Doc, sessionId: string) {
  const valid = new Map<string, PreparedRow>();
  const present = new Set<string>();
  let invalid = 0;
  for (const raw of spanValues(doc)) {
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'string') present.add(id);
    const p = prepare(raw, sessionId, (value) => {
      const parsed = SpanSchema.safeParse(value);
      if (!parsed.success || !storableSpan(parsed.data)) return { sessionId, invalid: true };
      return { sessionId, key: parsed.data.id, prepared: withHash(spanToRow(sessionId, parsed.data)) };
    });
    if ('invalid' in p) invalid++;
    else valid.set(p.key, p.prepared);
  }
  return { valid, present, invalid };
}

function readSnapshots(doc: Y.Doc, sessionId: string) {
  const valid = new Map<string, PreparedRow>();
  const present = new Set<string>();
  let invalid = 0;
  // The array may hold several snapshots of one turn (a resumed turn, two replicas): the last one wins,
  // and array order is the same on every replica once they have merged.
  for (const raw of listSnapshots(doc) as unknown[]) {
    const turn = (raw as { turn?: unknown } | null)?.turn;
    if (typeof turn === 'number' && isInt(turn)) present.add(String(turn));
    const p = prepare(raw, sessionId, (value) => {
      const parsed = SnapshotSchema.safeParse(value);
      if (!parsed.success || !isInt(parsed.data.turn) || !Number.isFinite(parsed.data.at)) {
        return { sessionId, invalid: true };
      }
      return { sessionId, key: String(parsed.data.turn), prepared: withHash(snapshotToRow(sessionId, parsed.data)) };
    });
    if ('invalid' in p) invalid++;
    else valid.set(p.key, p.prepared);
  }
  return { valid, present, invalid };
}

function spanValues(doc: Y.Doc): unknown[] {
  try {
    return listSpans(doc);
  } catch {
    // listSpans sorts on fields a malformed value (null, say) lacks and throws; such a value must be
    // counted as invalid, not stop the session's projection, so read the values unsorted.
    return [...doc.getMap('spans').values()];
  }
}

function withHash(row: Record<string, unknown>): PreparedRow {
  return {
    row,
    hash: createHash('sha1')
      .update(rowsToPostgresJson([row]))
      .digest('base64'),
  };
}

/** What the schema allows but the columns do not: a non-integer turn, a start time that is not a number. */
function storableSpan(s: Span): boolean {
  return isInt(s.turn) && Number.isFinite(s.startedAt) && (s.endedAt === undefined || Number.isFinite(s.endedAt));
}

function isInt(n: number): boolean {
  return Number.isSafeInteger(n) && Math.abs(n) <= 2_147_483_647;
}

function upsertSql(table: string, columns: readonly (readonly [string, string])[], key: string[]): string {
  const names = columns.map(([n]) => n);
  const recordType = columns.map(([n, t]) => `${n} ${t}`).join(', ');
  const updates = names.filter((n) => !key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
  return `INSERT INTO ${table} (${names.join(', ')})
    SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})
    ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}, projected_at = now()`;
}
