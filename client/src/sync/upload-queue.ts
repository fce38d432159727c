// Wires the upload queue into a tab: the queue itself (rows in Dexie, recorded by the doc store), the
// count the global badge shows, this tab's presence lock, and the election of the one tab of this
// profile that keeps the queued docs open until the server has stored them.
import type { DocStore } from '../docs/doc-store.ts';
import type { LocalDb } from '../docs/local-db.ts';
import { reportStorageFailure } from '../docs/storage-failure-events.ts';
import { DocUploader } from './doc-uploader.ts';
import {
  dexiePendingChangeTable,
  durableDocSnapshot,
  observeQueue,
  type QueueSummary,
} from './pending-change-table.ts';
import { LOST_AFTER_MS, PendingChanges } from './pending-changes.ts';
import { aliveTabs, electUploader, holdTabPresence, type LockRequester } from './upload-leader.ts';

export interface UploadQueue {
  readonly pending: PendingChanges;
  /** Starts counting and (in the elected tab) uploading; returns the way to stop. */
  start(store: DocStore): () => void;
}

export function createUploadQueue(db: LocalDb, locks: LockRequester | undefined = navigator.locks): UploadQueue {
  const tabId = crypto.randomUUID();
  const pending = new PendingChanges({
    table: dexiePendingChangeTable(db),
    writer: tabId,
    // Without Web Locks (an insecure origin) no tab can tell another is gone: nothing is called lost.
    lost: locks && {
      aliveWriters: () => aliveTabs(locks),
      durableSnapshot: (doc) => durableDocSnapshot(db, doc),
    },
    onLost: (doc, count) =>
      console.warn(`[sync] ${count} change(s) to ${doc} were never saved on this device (their tab died first)`),
  });
  return {
    pending,
    start(store) {
      const stops: (() => void)[] = [];
      if (locks) stops.push(holdTabPresence(locks, tabId));
      const onQueue = (q: QueueSummary) => {
        store.status.setWaiting(q.count);
        for (const doc of pending.setQueuedDocs(q.docs)) store.recheck(doc);
      };
      stops.push(observeQueue(db, onQueue, reportStorageFailure));
      const lead = () => leadUploads(db, store);
      // Without Web Locks every tab uploads: more sockets, but nothing is stranded.
      stops.push(locks ? electUploader(locks, lead) : lead());
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
}

/** The elected tab's job: keep queued docs open (their sockets upload and bring back acks). */
function leadUploads(db: LocalDb, store: DocStore): () => void {
  const uploader = new DocUploader({
    canUpload: () => store.syncConfigured,
    open: (name) => {
      const handle = store.openDoc(name);
      return { status: () => store.status.get(name), release: () => handle.release() };
    },
    recheck: (name) => store.recheck(name),
  });
  const stopQueue = observeQueue(db, (q) => uploader.setQueued(q.docs), reportStorageFailure);
  const stopStatus = store.status.subscribe(() => uploader.statusChanged());
  const stopConfig = store.onSyncConfigChange(() => uploader.targetChanged());
  const timer = setInterval(() => uploader.tick(), LOST_AFTER_MS);
  return () => {
    clearInterval(timer);
    stopQueue();
    stopStatus();
    stopConfig();
    uploader.stop();
  };
}
