/**
 * Opens the server's Postgres: the one at DATABASE_URL, or an embedded PGlite in the data folder
 * served over a local socket so the same `pg` code talks to both.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageKind } from '@boocode/shared/protocol/rest';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';

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

async function openEmbedded(dataDir: string): Promise<Database> {
  const pgdata = join(dataDir, 'pgdata');
  await mkdir(pgdata, { recursive: true });
  const db = await PGlite.create(pgdata);
  const socket = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await socket.start();
  const [host, port] = socket.getServerConn().split(':');
  // PGlite runs one query at a time whatever the socket accepts: pool size 1 is the honest setting.
  const pool = new pg.Pool({ host, port: Number(port), user: 'postgres', database: 'postgres', max: 1 });
  pool.on('error', (err) => console.error('[sync-server] embedded pool error:', err.message));
  return {
    kind: 'embedded',
    pool,
    listenConfig: null,
    async close() {
      await pool.end();
      await socket.stop();
      await db.close();
    },
  };
}
