/**
 * Storage backends every storage test runs on: the embedded database always, and a throwaway
 * database on the real Postgres at DATABASE_URL when it is set (created per test file, dropped after).
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface StorageTarget {
  /** Always set: the data folder (embedded database, token file). */
  dataDir: string;
  databaseUrl?: string;
}

export interface StorageBackend {
  name: 'embedded' | 'postgres';
  /** A fresh storage location; call `cleanup` after. */
  create(): Promise<StorageTarget & { cleanup(): Promise<void> }>;
}

export const adminDatabaseUrl = process.env.DATABASE_URL || undefined;

const TEMPLATE_DIR = join(tmpdir(), 'boocode-test-pglite-template-0.5.14');

/** initdb takes seconds on PGlite; copying a cleanly closed template takes milliseconds. */
async function embeddedTemplate(): Promise<string> {
  const ready = await stat(join(TEMPLATE_DIR, 'pgdata', 'PG_VERSION')).catch(() => null);
  if (ready) return TEMPLATE_DIR;
  const building = await mkdtemp(join(tmpdir(), 'boocode-template-build-'));
  const db = await PGlite.create(join(building, 'pgdata'));
  await db.close();
  await rename(building, TEMPLATE_DIR).catch(() => rm(building, { recursive: true, force: true }));
  return TEMPLATE_DIR;
}

export async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'boocode-sync-test-'));
  await cp(join(await embeddedTemplate(), 'pgdata'), join(dir, 'pgdata'), { recursive: true });
  return dir;
}

/** Creates a database with a random name on the admin server; returns its URL and a drop function. */
export async function createThrowawayDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `boocode_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export const embeddedBackend: StorageBackend = {
  name: 'embedded',
  async create() {
    const dataDir = await freshDataDir();
    return { dataDir, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
  },
};

export const postgresBackend: StorageBackend = {
  name: 'postgres',
  async create() {
    if (!adminDatabaseUrl) throw new Error('DATABASE_URL is not set');
    const db = await createThrowawayDatabase(adminDatabaseUrl);
    const dataDir = await mkdtemp(join(tmpdir(), 'boocode-sync-test-'));
    await mkdir(dataDir, { recursive: true });
    return {
      dataDir,
      databaseUrl: db.url,
      async cleanup() {
        await db.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};

/** Embedded always; real Postgres too when DATABASE_URL is set. */
export const storageBackends: StorageBackend[] = adminDatabaseUrl
  ? [embeddedBackend, postgresBackend]
  : [embeddedBackend];
