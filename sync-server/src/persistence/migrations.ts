/**
 * Schema migrations, run at start. Idempotent, and safe when several instances start at once:
 * an advisory lock serialises them and applied versions are recorded.
 */
import type pg from 'pg';
import { withClient } from './database.ts';

const MIGRATION_LOCK = 7_202_611; // arbitrary constant shared by every instance

const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE IF NOT EXISTS doc_updates (
        doc   text        NOT NULL,
        seq   bigserial   NOT NULL,
        bytes bytea       NOT NULL,
        time  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (doc, seq)
      );
      CREATE TABLE IF NOT EXISTS doc_snapshots (
        doc      text        PRIMARY KEY,
        bytes    bytea       NOT NULL,
        upto_seq bigint      NOT NULL,
        time     timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    // Row counts kept instead of counted at every start (issue 18.6). Writers add to doc_stats in
    // the statement that inserts the rows; compaction adds to doc_snapshots.merged_rows, a row only
    // compaction writes, so a compaction never holds a lock a writer waits for. Rows in doc_updates
    // for a doc = stored_rows - merged_rows; both only grow, so the pair marks any change. Existing
    // rows are counted once here, in the migration's transaction.
    version: 2,
    sql: `
      CREATE TABLE IF NOT EXISTS doc_stats (
        doc         text   PRIMARY KEY,
        stored_rows bigint NOT NULL
      );
      ALTER TABLE doc_snapshots ADD COLUMN IF NOT EXISTS merged_rows bigint NOT NULL DEFAULT 0;
      INSERT INTO doc_stats (doc, stored_rows)
        SELECT doc, count(*) FROM doc_updates GROUP BY doc;`,
  },
];

export function runMigrations(pool: pg.Pool): Promise<void> {
  return withClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}
