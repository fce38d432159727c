// One backfill at a time across instances sharing a Postgres: a session-level advisory lock held on a
// connection of its own (not the pool's, which sync traffic needs). An instance that finds it taken waits,
// then runs and finds the docs the other one projected already stamped, so it does no work twice.
import pg from 'pg';

const BACKFILL_LOCK = 7_202_612; // arbitrary constant shared by every instance (next to the migration lock)

export async function withBackfillLock<T>(
  config: pg.ClientConfig,
  signal: AbortSignal,
  log: (message: string) => void,
  fn: () => Promise<T>,
): Promise<T | null> {
  const client = new pg.Client(config);
  // A dropped connection releases the lock; the backfill in flight then finishes unguarded, which is
  // safe (rows are upserts), only possibly duplicated work.
  client.on('error', (err) => log(`lock connection failed: ${err.message}`));
  const onAbort = () => {
    client.end().catch(() => {});
  };
  try {
    await client.connect();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return null;
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [BACKFILL_LOCK]);
    if (!got.rows[0]?.ok) {
      log('another instance is backfilling; waiting for it');
      await client.query('SELECT pg_advisory_lock($1)', [BACKFILL_LOCK]);
    }
    if (signal.aborted) return null;
    return await fn();
  } catch (err) {
    // Ending the client on close() rejects the wait: that is a stop, not a failure.
    if (signal.aborted) return null;
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => {});
  }
}
