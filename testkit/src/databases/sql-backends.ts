// The storage backends every DB test runs on: in-process PGlite; PGlite behind pglite-socket on a unix
// socket in a private temp folder, through a pg Pool (how the server opens its embedded database); and a throwaway database on the real Postgres at
// DATABASE_URL when it is set (created with a random name, dropped afterwards).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';

/** A parameterised query with rows back: what the server's projection and blob modules take. */
export type SqlQuery = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<{ rows: Row[] }>;

export interface TestDatabase {
  query: SqlQuery;
  close(): Promise<void>;
}

export interface TestBackend {
  name: string;
  open(): Promise<TestDatabase>;
}

/** `socket: false` leaves out PGlite-over-a-socket where the wire adds nothing to what a file tests. */
export function testBackends(opts: { socket?: boolean } = {}): TestBackend[] {
  const backends: TestBackend[] = [{ name: 'pglite', open: openPglite }];
  if (opts.socket !== false) backends.push({ name: 'pglite-socket', open: openPgliteSocket });
  const url = process.env.DATABASE_URL;
  if (url) backends.push({ name: 'postgres', open: () => openPostgres(url) });
  return backends;
}

async function openPglite(): Promise<TestDatabase> {
  const db = new PGlite();
  await db.waitReady;
  const query = (async (sql: string, params?: unknown[]) => {
    const res = await db.query(sql, params);
    return { rows: res.rows };
  }) as SqlQuery;
  return { query, close: () => db.close() };
}

async function openPgliteSocket(): Promise<TestDatabase> {
  const db = new PGlite();
  await db.waitReady;
  // mkdtemp makes the folder 0700; `pg` finds the socket as <host>/.s.PGSQL.<port>.
  const dir = await mkdtemp(join(tmpdir(), 'boocode-sql-'));
  const socket = new PGLiteSocketServer({ db, path: join(dir, '.s.PGSQL.5432') });
  await socket.start();
  const pool = new pg.Pool({ host: dir, port: 5432, user: 'postgres', database: 'postgres', max: 1 });
  pool.on('error', () => {});
  const query = ((sql: string, params?: unknown[]) => pool.query(sql, params)) as SqlQuery;
  return {
    query,
    async close() {
      await pool.end();
      await socket.stop();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(url: string): Promise<TestDatabase> {
  const name = `boocode_projection_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: dbUrl.toString(), max: 4 });
  pool.on('error', () => {});
  const query = ((sql: string, params?: unknown[]) => pool.query(sql, params)) as SqlQuery;
  return {
    query,
    async close() {
      await pool.end();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
