// The upload queue in the device's database (Dexie): the `pendingChanges` table, what it tells the
// badge and the uploader, and a fresh read of a doc from y-dexie's own updates table.
import { Dexie, liveQuery } from 'dexie';
import * as Y from 'yjs';
import { DOC_UPDATES_TABLE, type LocalDb } from '../docs/local-db.ts';
import type { PendingChangeTable } from './pending-changes.ts';

/** The local setting that remembers which server this device's docs were last queued for. */
const UPLOAD_TARGET_KEY = 'uploadTarget';

export function dexiePendingChangeTable(db: LocalDb): PendingChangeTable {
  return {
    add: async (change) => {
      // A single add outside any transaction the caller may be in: Dexie creates its IndexedDB
      // transaction synchronously (an explicit db.transaction() would start a microtask later, after
      // y-dexie's), and local-db.ts widens its scope over y-dexie's updates, so this row commits first.
      await Dexie.ignoreTransaction(() => db.pendingChanges.add(change as never));
    },
    switchTarget: (target, writer, at) =>
      db.transaction('rw', [db.settings, db.docs, db.pendingChanges], async () => {
        if (target === undefined) return db.settings.delete(UPLOAD_TARGET_KEY);
        const last = await db.settings.get(UPLOAD_TARGET_KEY);
        if (last?.value === target) return;
        const names = (await db.docs.toCollection().primaryKeys()) as string[];
        const queued = await db.pendingChanges.where('doc').anyOf(names).toArray();
        const whole = new Set(queued.filter((c) => !c.need).map((c) => c.doc));
        const rows = names.filter((doc) => !whole.has(doc)).map((doc) => ({ doc, writer, at }));
        if (rows.length) await db.pendingChanges.bulkAdd(rows as never[]);
        await db.settings.put({ key: UPLOAD_TARGET_KEY, value: target });
      }),
    forDoc: (doc) => db.pendingChanges.where('doc').equals(doc).toArray(),
    remove: (ids) => db.pendingChanges.bulkDelete(ids),
  };
}

export interface QueueSummary {
  /** Changes waiting for the server, on every doc. */
  count: number;
  /** The docs they belong to. */
  docs: string[];
}

/** Live summary of the queue (Dexie's liveQuery carries another tab's writes here too). */
export function observeQueue(db: LocalDb, onChange: (summary: QueueSummary) => void, onError: (e: unknown) => void) {
  const sub = liveQuery(async () => ({
    count: await db.pendingChanges.count(),
    docs: (await db.pendingChanges.orderBy('doc').uniqueKeys()) as string[],
  })).subscribe({ next: onChange, error: onError });
  return () => sub.unsubscribe();
}

/** What this device's disk holds of a doc, read from y-dexie's updates (not from an open copy). */
export async function durableDocSnapshot(db: LocalDb, doc: string): Promise<Y.Snapshot> {
  const rows = (await db.table(DOC_UPDATES_TABLE).where('k').equals(doc).toArray()) as { u: Uint8Array }[];
  const copy = new Y.Doc();
  try {
    for (const row of rows) Y.applyUpdateV2(copy, row.u);
    return Y.snapshot(copy);
  } finally {
    copy.destroy();
  }
}
