/**
 * Cold start with a long history (issue 18.6): a server process started over 1,000 docs holding
 * 1,000,000 stored updates, timed from spawn to the first served sync (a stock y-websocket client
 * synced with one of the docs). The data is written once through the real group-commit writer (one
 * row per doc per transaction, so 1,000 transactions of 1,000 rows), then one warm-up start lets the
 * read-model backfill project every session doc; the timed starts are the usual ones after that:
 * a new server process (loading the code is part of it), and a start inside this process, whose code
 * is loaded already (what is left grows with the data, or should not).
 * Embedded always; Postgres too when DATABASE_URL is set (in a database of its own, dropped after).
 * Sizes: BENCH_COLD_DOCS (1000), BENCH_COLD_UPDATES_PER_DOC (1000), BENCH_COLD_STARTS (3).
 * `npm run bench:cold-start`. Figures, not a test.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createThrowawayDatabase } from '@boocode/testkit/databases/storage-backends';
import type pg from 'pg';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { openDatabase } from '../src/persistence/database.ts';
import { UpdateWriter } from '../src/persistence/groupCommit.ts';
import { runMigrations } from '../src/persistence/migrations.ts';
import { createSyncServer } from '../src/server/createSyncServer.ts';
import { BENCH_TOKEN } from './benchToken.ts';

const DOCS = Number(process.env.BENCH_COLD_DOCS ?? 1000);
const PER_DOC = Number(process.env.BENCH_COLD_UPDATES_PER_DOC ?? 1000);
const STARTS = Number(process.env.BENCH_COLD_STARTS ?? 3);
const SERVER = fileURLToPath(new URL('./coldStartServer.ts', import.meta.url));

const docName = (i: number) => `session:ses_bench${String(i).padStart(5, '0')}`;

/** One doc's history: PER_DOC small updates (typing into a text, setting keys), reused for every doc. */
function history(): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  const text = doc.getText('notes');
  for (let i = 0; i < PER_DOC; i++) {
    if (i % 4 === 3) doc.getMap('bench').set(`k${i % 20}`, i);
    else text.insert(text.length, String.fromCharCode(97 + (i % 26)));
  }
  doc.destroy();
  return out;
}

async function fill(dataDir: string, databaseUrl: string | undefined): Promise<{ fillMs: number; upgradeMs: number }> {
  const started = performance.now();
  const db = await openDatabase({ dataDir, databaseUrl });
  try {
    await runMigrations(db.pool);
    const writer = new UpdateWriter(db.pool);
    const updates = history();
    // One round per update index: every doc gets its next update, all in one transaction (one row each).
    for (const u of updates) {
      for (let d = 0; d < DOCS; d++) writer.write(docName(d), u, () => {});
      await writer.flush();
    }
    const n = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM doc_updates');
    if (Number(n.rows[0]!.n) !== DOCS * PER_DOC) throw new Error(`stored ${n.rows[0]!.n} rows`);
    const fillMs = performance.now() - started;
    return { fillMs, upgradeMs: await timeUpgrade(db.pool) };
  } finally {
    await db.close();
  }
}

/**
 * With kept counts (migration 2): undoes them, as a database written before them would be, and times
 * the migration that counts every row once on upgrade. NaN on code without kept counts.
 */
async function timeUpgrade(pool: pg.Pool): Promise<number> {
  const kept = (await pool.query<{ t: string | null }>(`SELECT to_regclass('doc_stats')::text AS t`)).rows[0]!.t;
  if (!kept) return Number.NaN;
  await pool.query(`DROP TABLE doc_stats; ALTER TABLE doc_snapshots DROP COLUMN merged_rows;
    DELETE FROM schema_migrations WHERE version = 2`);
  const t0 = performance.now();
  await runMigrations(pool);
  return performance.now() - t0;
}

/** Resolves once a stock y-websocket client has synced `doc` (and received its stored text). */
async function firstSync(port: number, doc: string): Promise<void> {
  const ydoc = new Y.Doc();
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/yjs`, doc, ydoc, {
    params: { token: BENCH_TOKEN },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  await new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', (s: boolean) => s && resolve());
  });
  if (ydoc.getText('notes').length === 0) throw new Error('the synced doc is empty');
  provider.destroy();
  ydoc.destroy();
}

/**
 * A start inside this process, whose code is already loaded (and PGlite's WebAssembly compiled): what
 * is left is what the data decides (opening the database, migrations, the backfill's reads).
 */
async function inProcessStart(dataDir: string, databaseUrl: string | undefined, doc: string) {
  const t0 = performance.now();
  const server = await createSyncServer({
    dataDir,
    databaseUrl,
    token: BENCH_TOKEN,
    port: 0,
    backfill: { log: () => {} },
  });
  await firstSync(server.port, doc);
  const firstSyncMs = performance.now() - t0;
  const backfillMs = (await server.backfill)?.ms ?? Number.NaN;
  await server.close();
  return { firstSyncMs, backfillMs };
}

interface Start {
  listenMs: number;
  firstSyncMs: number;
  backfillMs: number;
  stop(): Promise<void>;
}

async function coldStart(dataDir: string, databaseUrl: string | undefined, doc: string): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, BENCH_DATA_DIR: dataDir, BENCH_DATABASE_URL: databaseUrl ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let backfillResolve: (ms: number) => void = () => {};
  const backfill = new Promise<number>((resolve) => {
    backfillResolve = resolve;
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /PORT=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
      const b = /BACKFILL=(-?\d+)/.exec(out);
      if (b) backfillResolve(Number(b[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const listenMs = performance.now() - t0;
  await firstSync(port, doc);
  const firstSyncMs = performance.now() - t0;
  const backfillMs = await backfill;
  return {
    listenMs,
    firstSyncMs,
    backfillMs,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runOn(storage: 'embedded' | 'postgres', adminUrl?: string) {
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-bench-cold-'));
  // Its own database on the real server (random name, dropped after): never the shared one's tables.
  const scratch = adminUrl ? await createThrowawayDatabase(adminUrl) : null;
  const databaseUrl = scratch?.url;
  try {
    const { fillMs, upgradeMs } = await fill(dataDir, databaseUrl);
    const warm = await coldStart(dataDir, databaseUrl, docName(0));
    await warm.stop();
    const starts: Start[] = [];
    for (let i = 0; i < STARTS; i++) {
      // A different doc each time: none is in any cache of the previous process.
      const s = await coldStart(dataDir, databaseUrl, docName((i + 1) * 7));
      await s.stop();
      starts.push(s);
    }
    await inProcessStart(dataDir, databaseUrl, docName(1)); // compiles PGlite's WebAssembly once
    const inProcess: { firstSyncMs: number; backfillMs: number }[] = [];
    for (let i = 0; i < STARTS; i++) inProcess.push(await inProcessStart(dataDir, databaseUrl, docName((i + 1) * 11)));
    const f = (n: number) => n.toFixed(0).padStart(6);
    console.log(
      `${storage.padEnd(8)} | fill ${(fillMs / 1000).toFixed(1)} s | upgrade (counting every row once) ${f(upgradeMs)} ms | first start (backfill of every doc) ${f(warm.firstSyncMs)} ms to first sync, backfill ${warm.backfillMs} ms`,
    );
    console.log(
      `${storage.padEnd(8)} | cold start, median of ${STARTS}: listening ${f(median(starts.map((s) => s.listenMs)))} ms, ` +
        `first served sync ${f(median(starts.map((s) => s.firstSyncMs)))} ms (runs: ${starts.map((s) => s.firstSyncMs.toFixed(0)).join(', ')}), ` +
        `backfill ${median(starts.map((s) => s.backfillMs))} ms`,
    );
    console.log(
      `${storage.padEnd(8)} | start with the code loaded, median of ${STARTS}: first served sync ` +
        `${f(median(inProcess.map((s) => s.firstSyncMs)))} ms (runs: ${inProcess.map((s) => s.firstSyncMs.toFixed(0)).join(', ')}), ` +
        `backfill ${f(median(inProcess.map((s) => s.backfillMs)))} ms`,
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

console.log(`cold start: ${DOCS} docs x ${PER_DOC} stored updates (${DOCS * PER_DOC} rows), server in its own process`);
await runOn('embedded');
if (process.env.DATABASE_URL) await runOn('postgres', process.env.DATABASE_URL);
