/**
 * Persistence benchmark: updates/s durably stored when concurrent writers share group commit
 * (UpdateWriter) versus one INSERT (one commit) per update, on the same pool.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { openDatabase } from '../src/persistence/database.ts';
import { UpdateWriter } from '../src/persistence/groupCommit.ts';
import { runMigrations } from '../src/persistence/migrations.ts';

export interface PersistenceResult {
  storage: 'embedded' | 'postgres';
  groupCommitPerSecond: number;
  singleInsertPerSecond: number;
  updates: number;
}

function smallUpdates(n: number): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < n; i++) doc.getMap('m').set(`k${i % 50}`, i);
  return out;
}

/** `writers` concurrent writers, each storing its share one after another (awaiting each). */
async function timeConcurrent(writers: number, updates: Uint8Array[], store: (u: Uint8Array) => Promise<void>) {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; i < updates.length; i += writers) await store(updates[i]!);
    }),
  );
  return updates.length / ((performance.now() - started) / 1000);
}

export async function runPersistence(
  databaseUrl: string | undefined,
  updates = 4000,
  writers = 50,
): Promise<PersistenceResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-bench-db-'));
  const db = await openDatabase({ databaseUrl, dataDir, poolSize: 4 });
  const doc = `bench-${Date.now()}`;
  try {
    await runMigrations(db.pool);
    const data = smallUpdates(updates);
    const writer = new UpdateWriter(db.pool);
    const groupCommitPerSecond = await timeConcurrent(writers, data, (u) => writer.append(`${doc}-g`, u));
    const singleInsertPerSecond = await timeConcurrent(writers, data, async (u) => {
      await db.pool.query('INSERT INTO doc_updates (doc, bytes) VALUES ($1, $2)', [`${doc}-s`, u]);
    });
    await db.pool.query('DELETE FROM doc_updates WHERE doc LIKE $1', [`${doc}-%`]);
    return { storage: db.kind, groupCommitPerSecond, singleInsertPerSecond, updates };
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
