/**
 * Issue 18.1, R7/R13: a process killed (SIGKILL) after a group commit merged and inserted its rows
 * but before COMMIT loses no update it acknowledged, and stores none it did not: the stored docs
 * replay to exactly the acknowledged updates. Seeded: SEED=<n> replays the stream and the moment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDatabase } from '../src/persistence/database.ts';
import { applyStoredDoc, loadStoredDoc } from '../src/persistence/updateLog.ts';
import { randomDocName, waitFor } from './support/clients.ts';
import { applySeparately, docFingerprint, receivedUpdates } from './support/random-updates.ts';
import { testSeed, withSeed } from './support/seed.ts';

const CHILD = fileURLToPath(new URL('./support/merge-crash-writer.ts', import.meta.url));

interface ChildRun {
  child: ChildProcess;
  acked: number[];
  hold: number[] | null;
  done: boolean;
  exited: Promise<void>;
  stderr(): string;
}

function startWriter(target: StorageTarget, seed: number, holdAt: number, docs: string[]): ChildRun {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, String(seed), String(holdAt), target.dataDir, ...docs],
    {
      env: { ...process.env, DATABASE_URL: target.databaseUrl ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const run: ChildRun = {
    child,
    acked: [],
    hold: null,
    done: false,
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
    stderr: () => stderr,
  };
  let pending = '';
  child.stdout?.on('data', (d) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const [word, arg] = line.split(' ');
      if (word === 'ACK') run.acked.push(Number(arg));
      else if (word === 'HOLD') run.hold = arg!.split(',').map(Number);
      else if (word === 'DONE') run.done = true;
    }
  });
  return run;
}

describe.each(storageBackends)('merged rows and SIGKILL on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('R7 a kill between merge and COMMIT loses no acknowledged update and stores no other', async () => {
    const seed = testSeed();
    console.log(`merged rows crash (${backend.name}): SEED=${seed}`);
    await withSeed(`merged rows crash (${backend.name})`, seed, async (rng) => {
      const docs = [randomDocName('crash-a'), randomDocName('crash-b')];
      const holdAt = prng.int32(rng, 1, 8);
      const run = startWriter(target, seed, holdAt, docs);
      try {
        await waitFor(
          () => run.hold !== null || run.done || run.child.exitCode !== null,
          'the writer holds a transaction',
          60_000,
        );
        expect(run.hold, run.stderr()).not.toBeNull();
      } finally {
        run.child.kill('SIGKILL');
        await run.exited;
      }
      // The held transaction carried merged rows: what the test is about.
      expect(Math.max(...run.hold!), 'updates in the largest held row').toBeGreaterThan(1);
      const received = receivedUpdates(prng.create(seed), docs);
      // Answered in order, each after its COMMIT: a prefix of the stream.
      expect(run.acked).toEqual(run.acked.map((_, i) => i));
      expect(run.acked.length).toBeGreaterThan(0);
      const acked = received.slice(0, run.acked.length);

      const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, poolSize: 1 });
      try {
        for (const name of docs) {
          const stored = new Y.Doc();
          applyStoredDoc(stored, await loadStoredDoc(db.pool, name), null);
          const expected = applySeparately(acked.filter((u) => u.doc === name).map((u) => u.bytes));
          expect(docFingerprint(stored), name).toEqual(docFingerprint(expected));
        }
      } finally {
        await db.close();
      }
    });
  }, 120_000);
});
