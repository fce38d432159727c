// The one database capability the projection and blob modules need: run a statement, get rows.
// A pg Pool fits (`(sql, params) => pool.query(sql, params)`), and so does an in-process PGlite.

export type SqlQuery = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<{ rows: Row[] }>;

/** Postgres error codes a concurrent `CREATE ... IF NOT EXISTS` can still raise when two callers race. */
const DDL_RACE_CODES = new Set(['23505', '42P07', '42710']);

/**
 * Runs idempotent DDL statements in order. Two processes creating the same table at the same moment can
 * both pass the IF NOT EXISTS check; the loser gets a duplicate error, and a retry then sees the table.
 */
export async function runMigrations(query: SqlQuery, statements: readonly string[]): Promise<void> {
  for (const sql of statements) {
    try {
      await query(sql);
    } catch (err) {
      if (!DDL_RACE_CODES.has((err as { code?: string }).code ?? '')) throw err;
      await query(sql);
    }
  }
}

/**
 * Runs `migrate` once per query function: the projector and the read routes share one set of tables
 * and need not each issue the DDL.
 */
export function migrateOnce(cache: WeakMap<SqlQuery, Promise<void>>, query: SqlQuery, migrate: () => Promise<void>) {
  let done = cache.get(query);
  if (!done) {
    done = migrate();
    cache.set(query, done);
    // A failed migration (database down) must be retried by the next caller, not cached forever.
    done.catch(() => cache.delete(query));
  }
  return done;
}
