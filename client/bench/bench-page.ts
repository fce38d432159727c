// Browser side of the storage benchmark (see run-storage-bench.ts): the same workloads on y-dexie
// and on y-indexeddb, exposed on `window.bench` for Playwright to call.
import { Dexie } from 'dexie';
import yDexie, { DexieYProvider } from 'y-dexie';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';

export type Lib = 'y-dexie' | 'y-indexeddb' | 'y-indexeddb+bc';

interface Opened {
  doc: Y.Doc;
  /** Resolves once every update written so far is committed to IndexedDB. */
  flush(): Promise<void>;
  close(): void;
}

const dexie = new Dexie('bench', { addons: [yDexie] });
dexie.version(1).stores({ docs: 'name, doc: Y.Doc' });
const UPDATES_TABLE = '$docs.doc_updates';

async function open(lib: Lib, name: string): Promise<Opened> {
  if (lib === 'y-dexie') {
    // y-dexie destroys a doc whose parent row is missing: the row must exist before loading.
    await dexie.table('docs').put({ name });
    const doc = DexieYProvider.getOrCreateDocument(dexie, 'docs', 'doc', name);
    const provider = DexieYProvider.load(doc);
    await provider.whenLoaded;
    return {
      doc,
      // A read-write transaction on the updates table commits after every write queued before it.
      flush: () => dexie.transaction('rw', dexie.table(UPDATES_TABLE), () => {}),
      close: () => DexieYProvider.release(doc),
    };
  }
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(name, doc);
  await persistence.whenSynced;
  let bc: BroadcastChannel | undefined;
  if (lib === 'y-indexeddb+bc') {
    // The relay y-indexeddb needs for live cross-tab updates.
    bc = new BroadcastChannel(`bench:${name}`);
    bc.onmessage = (e: MessageEvent<Uint8Array>) => Y.applyUpdate(doc, e.data, 'bc');
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'bc') bc?.postMessage(u);
    });
  }
  return {
    doc,
    flush: async () => {
      const db = await persistence._db;
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(['updates'], 'readwrite');
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    },
    close: () => {
      bc?.close();
      void persistence.destroy();
    },
  };
}

const opened = new Map<string, Opened>();

const bench = {
  /** Writes `n` updates (one transaction each, `bytes` of text each); returns ms in transact and until committed. */
  async write(lib: Lib, name: string, n: number, bytes: number, settleMs = 0) {
    const o = await open(lib, name);
    const text = o.doc.getText('t');
    const chunk = 'x'.repeat(bytes);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) o.doc.transact(() => text.insert(text.length, chunk));
    const t1 = performance.now();
    await o.flush();
    const t2 = performance.now();
    // Stay open as a real tab would, so background compaction (y-indexeddb trims after 1 s) can run.
    await new Promise((r) => setTimeout(r, settleMs));
    o.close();
    return { transactMs: t1 - t0, committedMs: t2 - t0 };
  },
  /** Loads `name` into a fresh Y.Doc; returns ms and the text length (to check it is all there). */
  async load(lib: Lib, name: string) {
    const t0 = performance.now();
    const o = await open(lib, name);
    const ms = performance.now() - t0;
    const length = o.doc.getText('t').length;
    o.close();
    return { ms, length };
  },
  /** Keeps `name` open and records when each remote `ping` arrives. */
  async listen(lib: Lib, name: string) {
    const o = await open(lib, name);
    opened.set(name, o);
    const latencies: number[] = [];
    o.doc.getMap('ping').observe((e) => {
      if (e.transaction.local) return;
      for (const key of e.keysChanged) {
        const sentAt = o.doc.getMap<number>('ping').get(key);
        if (sentAt !== undefined) latencies.push(Date.now() - sentAt);
      }
    });
    (window as unknown as { latencies: number[] }).latencies = latencies;
  },
  async ping(lib: Lib, name: string, key: string) {
    const o = opened.get(name) ?? (await open(lib, name));
    opened.set(name, o);
    o.doc.getMap('ping').set(key, Date.now());
  },
  latencies: () => (window as unknown as { latencies?: number[] }).latencies ?? [],
};

(window as unknown as { bench: typeof bench }).bench = bench;
document.title = 'bench ready';
