import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectClient, randomDocName, type TestClient, waitFor, waitSynced } from './support/clients.ts';
import { testSeed, withSeed } from './support/seed.ts';
import { type ServerProcess, spawnServer } from './support/serverProcess.ts';
import { TEST_TOKEN } from './support/servers.ts';

const WRITERS = 4;
const KILLS = 3;

/**
 * A writer appends `<writer>:<n>` every few milliseconds to the `log` array of the doc all writers
 * share, and to a doc only it uses: no peer holds a copy of the solo doc's updates, so after a crash
 * only the store can have them. That is where "reported stored" is really tested.
 */
interface Writer {
  id: string;
  client: TestClient;
  solo: TestClient;
  soloDoc: string;
  /** value -> clock of the item it inserted in the solo doc (that client's own id space). */
  clocks: Map<string, number>;
  next: number;
  timer: NodeJS.Timeout | null;
}

function startWriter(url: string, doc: string, id: string): Writer {
  const soloDoc = `${doc}-solo-${id}`;
  const w: Writer = {
    id,
    client: connectClient(url, doc, { token: TEST_TOKEN, stored: true }),
    solo: connectClient(url, soloDoc, { token: TEST_TOKEN, stored: true }),
    soloDoc,
    clocks: new Map(),
    next: 0,
    timer: null,
  };
  w.timer = setInterval(() => {
    const value = `${id}:${w.next++}`;
    w.client.doc.getArray<string>('log').push([value]);
    const solo = w.solo.doc;
    w.clocks.set(value, Y.getState(solo.store, solo.clientID));
    solo.getArray<string>('log').push([value]);
  }, 3);
  return w;
}

function stopWriting(w: Writer): void {
  if (w.timer) clearInterval(w.timer);
  w.timer = null;
}

function destroyWriter(w: Writer): void {
  w.client.destroy();
  w.solo.destroy();
}

/** Values of the solo doc the server has told this writer are durably stored. */
function confirmedValues(w: Writer): string[] {
  const stored = w.solo.stored;
  if (!stored) return [];
  const upTo = stored.sv.get(w.solo.doc.clientID) ?? 0;
  return [...w.clocks].filter(([, clock]) => clock < upTo).map(([value]) => value);
}

function fullyStored(c: TestClient): boolean {
  return c.stored !== null && Y.snapshotContainsUpdate(c.stored, Y.encodeStateAsUpdate(c.doc));
}

describe.each(storageBackends)('crash on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let proc: ServerProcess | null = null;
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(async () => {
    await proc?.kill('SIGKILL');
    await target?.cleanup();
  });

  it('R7 SIGKILL at random moments loses nothing reported stored, and returning clients converge', async () => {
    const seed = testSeed();
    await withSeed('crash test', seed, async (rng) => {
      const doc = randomDocName('crash');
      const start = (port?: number) =>
        spawnServer({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, token: TEST_TOKEN, port });
      proc = await start();
      const port = proc.port;
      const writers: Writer[] = [];
      const abandoned: { id: string; soloDoc: string; confirmed: string[] }[] = [];
      for (let i = 0; i < WRITERS; i++) writers.push(startWriter(proc.url, doc, `w${i}`));
      let nextId = WRITERS;

      for (let round = 0; round < KILLS; round++) {
        // Let everyone write for a random while, until some of it is confirmed stored.
        await waitFor(() => writers.every((w) => confirmedValues(w).length > 5), 'writes confirmed before kill');
        await new Promise((r) => setTimeout(r, prng.int32(rng, 50, 400)));
        await proc.kill('SIGKILL');
        // One writer never comes back: only what the server confirmed to it must survive.
        const gone = writers.splice(prng.int32(rng, 0, writers.length - 1), 1)[0]!;
        stopWriting(gone);
        destroyWriter(gone);
        abandoned.push({ id: gone.id, soloDoc: gone.soloDoc, confirmed: confirmedValues(gone) });
        proc = await start(port);
        writers.push(startWriter(proc.url, doc, `w${nextId++}`));
      }

      for (const w of writers) stopWriting(w);
      await waitFor(
        () => writers.every((w) => w.client.provider.synced && fullyStored(w.client) && fullyStored(w.solo)),
        'survivors stored',
        30_000,
      );
      const fresh = connectClient(proc.url, doc, { token: TEST_TOKEN });
      await waitSynced(fresh);
      const expected = (w: Writer) => [...w.clocks.keys()];
      await waitFor(() => {
        const have = new Set(fresh.doc.getArray<string>('log').toArray());
        return writers.every((w) => expected(w).every((v) => have.has(v)));
      }, 'every survivor update present');
      for (const a of abandoned) {
        const reader = connectClient(proc.url, a.soloDoc, { token: TEST_TOKEN });
        await waitSynced(reader);
        const have = new Set(reader.doc.getArray<string>('log').toArray());
        reader.destroy();
        expect(a.confirmed.length, `${a.id} had confirmed writes`).toBeGreaterThan(0);
        const missing = a.confirmed.filter((v) => !have.has(v));
        expect(missing, `confirmed writes of abandoned ${a.id}`).toEqual([]);
      }
      for (const w of writers) {
        await waitFor(
          () =>
            JSON.stringify(w.client.doc.getArray('log').toArray()) ===
            JSON.stringify(fresh.doc.getArray('log').toArray()),
          `replica ${w.id} identical`,
        );
      }
      fresh.destroy();
      for (const w of writers) destroyWriter(w);
      expect(await proc.kill('SIGTERM')).toBe(0);
      proc = null;
    });
  }, 120_000);
});
