/**
 * Whether the server's database answers: `SELECT 1` with a short deadline, for /healthz. One check
 * at a time: callers that arrive while one runs share its answer, so a hung database does not
 * pile up probes behind it.
 */
import type pg from 'pg';

export type StorageHealth = { ok: true } | { ok: false; error: string };

export const STORAGE_CHECK_TIMEOUT_MS = 2000;

export function createStorageHealthCheck(
  pool: pg.Pool,
  timeoutMs = STORAGE_CHECK_TIMEOUT_MS,
): () => Promise<StorageHealth> {
  let running: Promise<StorageHealth> | null = null;
  const check = async (): Promise<StorageHealth> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<StorageHealth>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: `no answer to SELECT 1 within ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    const probe = pool.query('SELECT 1').then(
      (): StorageHealth => ({ ok: true }),
      (err: Error): StorageHealth => ({ ok: false, error: err.message }),
    );
    try {
      return await Promise.race([probe, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
  return () => {
    running ??= check().finally(() => {
      running = null;
    });
    return running;
  };
}
