/**
 * Opens the server's Postgres: the one at DATABASE_URL, or an embedded PGlite in the data folder,
 * run on a worker thread and served over a unix socket in that folder, so the same `pg` code talks
 * to both and no other user of the machine can reach the embedded one.
 */
import { chmod, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StorageKind } from '@boocode/shared/protocol/rest';
import pg from 'pg';
import { makeTreePrivate, preparePrivateFolder } from './data-folder.ts';
import { prepareEmbeddedSocket } from './embedded-socket.ts';

export interface Database {
  kind: StorageKind;
  pool: pg.Pool;
  /** Connection settings for a dedicated LISTEN client; null for the embedded database (one process). */
  listenConfig: pg.ClientConfig | null;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; its `pgdata` subfolder holds PGlite's files. */
  dataDir: string;
  poolSize?: number;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 4);
  return openEmbedded(opts.dataDir);
}

function openPostgres(connectionString: string, max: number): Database {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client's error (e.g. the server restarted) must not crash the process; the pool replaces it.
  pool.on('error', (err) => console.error('[sync-server] postgres pool error:', err.message));
  return {
    kind: 'postgres',
    pool,
    listenConfig: { connectionString },
    close: () => pool.end(),
  };
}

let pgliteModule: Promise<WebAssembly.Module | null> | null = null;

/**
 * PGlite's WebAssembly, compiled once per process and handed to each worker: a new worker would
 * otherwise compile it again (about 1-2 s of a restart here, against 0.1 s once).
 */
function compiledPglite(): Promise<WebAssembly.Module | null> {
  pgliteModule ??= (async () => {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    return WebAssembly.compile(await readFile(join(dirname(entry), 'pglite.wasm')));
  })().catch((err: Error) => {
    console.error('[sync-server] precompiling PGlite failed, each worker compiles it:', err.message);
    return null;
  });
  return pgliteModule;
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const pgdata = join(dataDir, 'pgdata');
  await preparePrivateFolder(dataDir);
  await preparePrivateFolder(pgdata);
  const socket = await prepareEmbeddedSocket(dataDir);
  const worker = new Worker(new URL('./embeddedDatabaseWorker.mjs', import.meta.url), {
    workerData: { pgdata, socketPath: socket.path, wasmModule: await compiledPglite() },
  });
  const conn = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`embedded database worker exited with ${code}`)));
    worker.once('message', (msg: { type: string; conn?: string; message?: string }) => {
      if (msg.type === 'ready' && msg.conn) resolve(msg.conn);
      else reject(new Error(`embedded database failed to start: ${msg.message ?? msg.type}`));
    });
  }).catch(async (err) => {
    await worker.terminate();
    await socket.cleanup();
    throw err;
  });
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  worker.on('error', (err) => console.error('[sync-server] embedded database worker failed:', err.message));
  try {
    await chmod(conn, 0o600);
    // PGlite creates its files 0666 whatever the umask: make what it made private (0700 folders, 0600 files).
    await makeTreePrivate(dataDir);
  } catch (err) {
    worker.postMessage({ type: 'close' });
    await worker.terminate();
    await socket.cleanup();
    throw err;
  }
  // PGlite runs one query at a time whatever the socket accepts: pool size 1 is the honest setting.
  // Its one connection is never let go when idle (idleTimeoutMillis 0): the socket serves a single
  // client, and another process of this user must not take the slot while the server is idle.
  const pool = new pg.Pool({
    host: socket.host,
    port: socket.port,
    user: 'postgres',
    database: 'postgres',
    max: 1,
    idleTimeoutMillis: 0,
  });
  pool.on('error', (err) => console.error('[sync-server] embedded pool error:', err.message));
  return {
    kind: 'embedded',
    pool,
    listenConfig: null,
    async close() {
      await pool.end();
      const closed = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'close' });
      await closed;
      await worker.terminate();
      await socket.cleanup();
      // Files PGlite made since it opened came out 0666 too.
      await makeTreePrivate(dataDir);
    },
  };
}

/**
 * Runs `fn` with a client checked out of the pool. pg-pool leaves a checked-out client without an
 * 'error' listener, so a dropped connection would be an uncaught exception: we listen while it is
 * out, and a client that failed is destroyed on release instead of going back to the pool.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (err: Error) => {
    failure = err;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    failure ??= err as Error;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(failure);
  }
}
