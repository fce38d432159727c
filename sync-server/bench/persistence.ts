/**
 * Persistence benchmark: updates/s durably stored when concurrent writers share group commit
 * (UpdateWriter) versus one INSERT (one commit) per update, on the same pool; plus, for the group
 * commit run, this process's CPU per stored update and the rows it left per update.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { type Database, openDatabase } from '../src/persistence/database.ts';
import { UpdateWriter } from '../src/persistence/groupCommit.ts';
import { runMigrations } from '../src/persistence/migrations.ts';

export interface PersistenceConfig {
  updates: number;
  writers: number;
  /** Docs the writers spread over (writer w writes to doc w % docs). */
  docs: number;
}

export interface PersistenceResult {
  storage: 'embedded' | 'postgres';
  groupCommitPerSecond: number;
  singleInsertPerSecond: number;
  updates: number;
  /**
   * CPU time of this process (all threads: the embedded database runs in a worker here) per update
   * during the group commit run, in µs.
   */
  groupCommitCpuPerUpdateUs: number;
  /**
   * On Postgres: CPU of the server processes serving this run's connections per update, in µs
   * (from /proc, so only for a server on this machine; NaN when it cannot be read).
   */
  groupCommitServerCpuPerUpdateUs: number;
  /** Rows in `doc_updates` after the group commit run, per update stored. */
  rowsPerUpdate: number;
}

/** One source doc per bench doc; each update sets one of 50 keys, as a client editing a form would. */
function smallUpdates(n: number, docs: number): Uint8Array[][] {
  return Array.from({ length: docs }, (_, d) => {
    const doc = new Y.Doc();
    const out: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => out.push(u));
    for (let i = d; i < n; i += docs) doc.getMap('m').set(`k${i % 50}`, i);
    return out;
  });
}

/**
 * `writers` concurrent writers; writer w stores, one after another (awaiting each), its share of
 * doc (w % docs)'s updates, in that doc's order.
 */
async function timeConcurrent(
  cfg: PersistenceConfig,
  updates: Uint8Array[][],
  store: (doc: number, u: Uint8Array) => Promise<void>,
) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: cfg.writers }, async (_, w) => {
      const d = w % cfg.docs;
      const sharing = Math.ceil((cfg.writers - d) / cfg.docs);
      const own = updates[d]!;
      for (let i = Math.floor(w / cfg.docs); i < own.length; i += sharing) await store(d, own[i]!);
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    perSecond: cfg.updates / ((performance.now() - started) / 1000),
    cpuPerUpdateUs: (used.user + used.system) / cfg.updates,
  };
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (getconf CLK_TCK: 100 on Linux). */
const TICK_US = 10_000;

/**
 * CPU (µs) so far of the Postgres backends whose connections carry `app` as application_name:
 * a backend exists per connection, so the delta over a run is the server's work for it.
 */
async function backendCpuUs(db: Database, app: string): Promise<number> {
  if (db.kind !== 'postgres') return Number.NaN;
  const res = await db.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    app,
  ]);
  let total = 0;
  for (const { pid } of res.rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (!stat) return Number.NaN;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * TICK_US;
  }
  return total;
}

export async function runPersistence(
  databaseUrl: string | undefined,
  cfg: PersistenceConfig = { updates: 4000, writers: 50, docs: 1 },
): Promise<PersistenceResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-bench-db-'));
  const doc = `bench-${Date.now()}`;
  const app = `boocode-bench-${doc}`;
  let url = databaseUrl;
  if (url) {
    const u = new URL(url);
    u.searchParams.set('application_name', app);
    url = u.toString();
  }
  const db = await openDatabase({ databaseUrl: url, dataDir, poolSize: 4 });
  try {
    await runMigrations(db.pool);
    const data = smallUpdates(cfg.updates, cfg.docs);
    const writer = new UpdateWriter(db.pool);
    // Warm up (JIT, the database's caches) so the first configuration measured is not the slowest.
    const warm = smallUpdates(200, 1)[0]!;
    await Promise.all(warm.map((u) => writer.append(`${doc}-warm`, u)));
    const serverCpuBefore = await backendCpuUs(db, app);
    const group = await timeConcurrent(cfg, data, (d, u) => writer.append(`${doc}-g${d}`, u));
    const serverCpu = (await backendCpuUs(db, app)) - serverCpuBefore;
    const rows = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM doc_updates WHERE doc LIKE $1', [
      `${doc}-g%`,
    ]);
    const single = await timeConcurrent(cfg, data, async (d, u) => {
      await db.pool.query('INSERT INTO doc_updates (doc, bytes) VALUES ($1, $2)', [`${doc}-s${d}`, u]);
    });
    await db.pool.query('DELETE FROM doc_updates WHERE doc LIKE $1', [`${doc}-%`]);
    return {
      storage: db.kind,
      groupCommitPerSecond: group.perSecond,
      singleInsertPerSecond: single.perSecond,
      updates: cfg.updates,
      groupCommitCpuPerUpdateUs: group.cpuPerUpdateUs,
      groupCommitServerCpuPerUpdateUs: serverCpu / cfg.updates,
      rowsPerUpdate: rows.rows[0]!.n / cfg.updates,
    };
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
