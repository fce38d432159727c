/**
 * Persistence benchmark: updates/s durably stored when concurrent writers share group commit
 * (UpdateWriter) versus one INSERT (one commit) per update, on the same pool; plus, for the group
 * commit run, this process's CPU per stored update and the rows it left per update.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { openDatabase } from '../src/persistence/database.ts';
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
   * during the group commit run, in µs. On Postgres the database server's own CPU is not in it.
   */
  groupCommitCpuPerUpdateUs: number;
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

export async function runPersistence(
  databaseUrl: string | undefined,
  cfg: PersistenceConfig = { updates: 4000, writers: 50, docs: 1 },
): Promise<PersistenceResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-bench-db-'));
  const db = await openDatabase({ databaseUrl, dataDir, poolSize: 4 });
  const doc = `bench-${Date.now()}`;
  try {
    await runMigrations(db.pool);
    const data = smallUpdates(cfg.updates, cfg.docs);
    const writer = new UpdateWriter(db.pool);
    // Warm up (JIT, the database's caches) so the first configuration measured is not the slowest.
    const warm = smallUpdates(200, 1)[0]!;
    await Promise.all(warm.map((u) => writer.append(`${doc}-warm`, u)));
    const group = await timeConcurrent(cfg, data, (d, u) => writer.append(`${doc}-g${d}`, u));
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
      rowsPerUpdate: rows.rows[0]!.n / cfg.updates,
    };
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
