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
