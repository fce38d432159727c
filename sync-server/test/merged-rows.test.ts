/**
 * Issue 18.1: within one group commit each doc's updates become one row (Y.mergeUpdates). A merged
 * row must replay to exactly the doc its updates give when applied one by one, and every write is
 * still answered after its COMMIT, in the order it was queued. Seeded: SEED=<n> replays a run.
 */
import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type Database, openDatabase } from '../src/persistence/database.ts';
import { mergeByDoc, UpdateWriter } from '../src/persistence/groupCommit.ts';
import { runMigrations } from '../src/persistence/migrations.ts';
import { applyStoredDoc, loadStoredDoc } from '../src/persistence/updateLog.ts';
import { randomDocName } from './support/clients.ts';
import { applySeparately, docFingerprint, receivedUpdates } from './support/random-updates.ts';
import { testSeed, withSeed } from './support/seed.ts';

describe.each(storageBackends)('merged rows on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let db: Database;
  beforeAll(async () => {
    target = await backend.create();
    db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, poolSize: 4 });
    await runMigrations(db.pool);
  });
  afterAll(async () => {
    await db?.close();
    await target?.cleanup();
  });

  it('R13 a merged row replays to exactly the doc of its separate updates; writes are answered in order', async () => {
    const seed = testSeed();
    console.log(`merged rows fuzz (${backend.name}): SEED=${seed}`);
    await withSeed(`merged rows fuzz (${backend.name})`, seed, async (rng) => {
      const docs = [randomDocName('merge-a'), randomDocName('merge-b'), randomDocName('merge-c')];
      const received = receivedUpdates(rng, docs);
      const rowsPerDocPerCommit: number[] = [];
      const writer = new UpdateWriter(db.pool, {
        afterCommit: (batch) => {
          for (const seqs of batch.seqsByDoc.values()) rowsPerDocPerCommit.push(seqs.length);
        },
      });
      const answered: number[] = [];
      // Writes come in bursts of random size; a burst lands in one or two transactions.
      for (let i = 0; i < received.length; ) {
        const burst = prng.int32(rng, 1, 25);
        for (const u of received.slice(i, i + burst)) {
          const index = i++;
          writer.write(u.doc, u.bytes, (err) => {
            if (err) throw err;
            answered.push(index);
          });
        }
        if (prng.bool(rng)) await writer.flush();
      }
      await writer.flush();

      expect(answered).toEqual(received.map((_, i) => i));
      // One row per doc per transaction, and far fewer rows than updates.
      expect(rowsPerDocPerCommit.every((n) => n === 1)).toBe(true);
      const rows = await db.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM doc_updates WHERE doc = ANY($1)',
        [docs],
      );
      expect(rows.rows[0]!.n).toBe(rowsPerDocPerCommit.length);
      expect(rows.rows[0]!.n).toBeLessThan(received.length / 2);

      for (const name of docs) {
        const separate = applySeparately(received.filter((u) => u.doc === name).map((u) => u.bytes));
        const replayed = new Y.Doc();
        expect(applyStoredDoc(replayed, await loadStoredDoc(db.pool, name), null)).toBe(0);
        expect(docFingerprint(replayed), name).toEqual(docFingerprint(separate));
      }
    });
  }, 60_000);
});

describe('mergeByDoc', () => {
  it('R13 keeps each doc apart and passes a lone update through untouched', () => {
    const a = new Y.Doc();
    const updates: Uint8Array[] = [];
    a.on('update', (u: Uint8Array) => updates.push(u));
    a.getArray('a').push([1]);
    a.getArray('a').push([2]);
    const rows = mergeByDoc([
      { doc: 'x', bytes: updates[0]! },
      { doc: 'y', bytes: updates[1]! },
      { doc: 'x', bytes: updates[1]! },
    ]);
    expect(rows.map((r) => [r.doc, r.updates])).toEqual([
      ['x', 2],
      ['y', 1],
    ]);
    expect(rows[1]!.bytes).toBe(updates[1]);
    const replay = new Y.Doc();
    Y.applyUpdate(replay, rows[0]!.bytes);
    expect(replay.getArray('a').toArray()).toEqual([1, 2]);
  });
});
