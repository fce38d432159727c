// DDL of the tables projected from session docs. They are a cache of the docs: dropping them loses
// nothing, the projector rebuilds them from the docs. Times are milliseconds since the epoch, exactly
// as in the doc (double precision keeps fractional ms and compares exactly in the pagination cursor).
import { migrateOnce, runMigrations, type SqlQuery } from './sql-query.ts';

/**
 * A span's searchable text: name, error, input and output. `search_text` keeps it lower-cased; the search's
 * snippet cuts the same text at the match's position in it, so both must be this one expression.
 */
export const SEARCHABLE_TEXT = `name || ' ' || coalesce(error_message, '') || ' ' || coalesce(input::text, '') || ' ' || coalesce(output::text, '')`;

// COLLATE "C": ids compare bytewise, the same order as in JavaScript, on every database's locale.
export const PROJECTION_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS tool_traces (
    session_id text COLLATE "C" NOT NULL,
    span_id text COLLATE "C" NOT NULL,
    turn integer NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    parent_id text,
    message_id text,
    status text NOT NULL,
    started_at double precision NOT NULL,
    ended_at double precision,
    latency_ms double precision,
    model text,
    usage_reported boolean,
    prompt_tokens integer,
    completion_tokens integer,
    reasoning_tokens integer,
    cache_hit_tokens integer,
    cache_miss_tokens integer,
    cost double precision,
    error_code text,
    error_message text,
    input jsonb,
    output jsonb,
    output_truncated boolean,
    segments jsonb,
    read_only boolean,
    child_session_id text,
    projected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, span_id)
  )`,
  'CREATE INDEX IF NOT EXISTS tool_traces_session_started ON tool_traces (session_id, started_at, span_id)',
  // Search across sessions (GET /api/spans/search): the text it looks in, lower-cased once when the row
  // is written rather than on every search (a scan of 20,000 spans took ~250 ms with lower() per row on
  // the embedded database). Then newest first, a backward scan of the first index, and by name (tool
  // figures and the tool filter).
  `ALTER TABLE tool_traces ADD COLUMN IF NOT EXISTS search_text text GENERATED ALWAYS AS (lower(
     ${SEARCHABLE_TEXT}
   )) STORED`,
  'CREATE INDEX IF NOT EXISTS tool_traces_started ON tool_traces (started_at, session_id, span_id)',
  'CREATE INDEX IF NOT EXISTS tool_traces_name_started ON tool_traces (name, started_at)',
  `CREATE TABLE IF NOT EXISTS agent_snapshots (
    session_id text COLLATE "C" NOT NULL,
    turn integer NOT NULL,
    at double precision NOT NULL,
    started_at double precision,
    message_count integer NOT NULL,
    prompt_tokens integer NOT NULL,
    completion_tokens integer NOT NULL,
    reasoning_tokens integer NOT NULL,
    cache_hit_tokens integer NOT NULL,
    cache_miss_tokens integer NOT NULL,
    cost double precision NOT NULL,
    pending jsonb NOT NULL,
    outcome text NOT NULL,
    tools jsonb,
    first_message_id text,
    projected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, turn)
  )`,
  // What each doc's rows were projected from, so the start-up backfill finds docs whose rows are
  // missing or behind without loading every doc. projected_state: hash of the doc's Yjs snapshot
  // (state vector + delete set) when its rows were written; stored_mark: the storage position
  // (`<snapshot upto_seq>:<row count>:<max seq>`) that state was loaded from, or NULL when a live
  // projection wrote it (the backfill then compares states once and stamps the mark).
  `CREATE TABLE IF NOT EXISTS projection_progress (
    doc text COLLATE "C" PRIMARY KEY,
    projected_state text NOT NULL,
    stored_mark text,
    projected_at timestamptz NOT NULL DEFAULT now()
  )`,
];

const migrated = new WeakMap<SqlQuery, Promise<void>>();

/** Creates the projection tables if they are missing; safe to call from every module that reads them. */
export function migrateProjectionTables(query: SqlQuery): Promise<void> {
  return migrateOnce(migrated, query, () => runMigrations(query, PROJECTION_DDL));
}
