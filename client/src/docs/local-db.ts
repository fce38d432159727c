// The device's own database (IndexedDB through Dexie): every Y.Doc's updates (y-dexie), local-only
// settings such as the sync token, and later pairing and blobs. Nothing here is required to be on
// the server; the server is a peer the docs sync with.
import { type DBCore, Dexie, type EntityTable } from 'dexie';
import yDexie from 'y-dexie';
import type * as Y from 'yjs';
import type { PendingChange } from '../sync/pending-changes.ts';

/** One row per Y.Doc the device knows, keyed by doc name (`space`, `session:<id>`). */
export interface DocRow {
  name: string;
  /** When this device first opened or created the doc. */
  createdAt: number;
  /** Persisted by y-dexie in its own updates table, never on this row. */
  readonly doc: Y.Doc;
}

/** Local-only key/value settings: they never sync (a token must not land in a shared doc). */
export interface LocalSettingRow {
  key: string;
  value: unknown;
}

/** Content-addressed binary attachments (images); referenced from docs by hash, never inside them. */
export interface BlobRow {
  sha256: string;
  mime: string;
  bytes: Blob;
  createdAt: number;
  /**
   * Where the server copy stands: `pending` until a PUT succeeded, `done` after (or when the blob came
   * from the server), `local` for blobs the server does not take (text files). Absent on v1 rows.
   */
  upload?: 'pending' | 'done' | 'local';
}

/**
 * One row per notification event some tab of this device has taken on (`subagent:<id>:done`, …): the
 * primary key makes `add` fail for every tab but the first, so an event is shown once however many
 * tabs saw it (client/src/notifications/notify-claim.ts).
 */
export interface NotifyClaimRow {
  id: string;
  claimedAt: number;
}

/** A change the server has not stored yet (the upload queue, client/src/sync/pending-changes.ts). */
export type PendingChangeRow = PendingChange;

export type LocalDb = Dexie & {
  docs: EntityTable<DocRow, 'name'>;
  settings: EntityTable<LocalSettingRow, 'key'>;
  blobs: EntityTable<BlobRow, 'sha256'>;
  notifyClaims: EntityTable<NotifyClaimRow, 'id'>;
  pendingChanges: EntityTable<PendingChangeRow, 'id'>;
};

export const LOCAL_DB_NAME = 'boocode';

export function createLocalDb(name: string = LOCAL_DB_NAME): LocalDb {
  const db = new Dexie(name, { addons: [yDexie] }) as LocalDb;
  db.version(1).stores({
    docs: 'name, createdAt, doc: Y.Doc',
    settings: 'key',
    blobs: 'sha256, createdAt',
  });
  // v2: the upload queue is the blobs whose `upload` is pending (indexed so it is found without a scan).
  // Every table is restated so y-dexie sees the Y.Doc property in the latest version too.
  db.version(2).stores({
    docs: 'name, createdAt, doc: Y.Doc',
    settings: 'key',
    blobs: 'sha256, createdAt, upload',
  });
  // v3: notification claims (one tab per event), indexed by time so old claims can be pruned.
  db.version(3).stores({
    docs: 'name, createdAt, doc: Y.Doc',
    settings: 'key',
    blobs: 'sha256, createdAt, upload',
    notifyClaims: 'id, claimedAt',
  });
  // v4: the doc upload queue, one row per change the server has not stored, found by doc name.
  db.version(4).stores({
    docs: 'name, createdAt, doc: Y.Doc',
    settings: 'key',
    blobs: 'sha256, createdAt, upload',
    notifyClaims: 'id, claimedAt',
    pendingChanges: '++id, doc',
  });
  // The ordering below names y-dexie's table: fail loudly if y-dexie ever names it differently.
  const updates = db.docs.schema.yProps?.find((p) => p.prop === 'doc')?.updatesTable;
  if (updates !== DOC_UPDATES_TABLE)
    throw new Error(`y-dexie keeps doc updates in ${updates}, not ${DOC_UPDATES_TABLE}`);
  db.use({ stack: 'dbcore', name: 'pendingChangesFirst', create: (down) => orderPendingChangesFirst(down) });
  return db;
}

/** y-dexie's table of Y.Doc updates (`$docs.doc_updates`), where every doc's changes are persisted. */
export const DOC_UPDATES_TABLE = '$docs.doc_updates';

/**
 * Widens every read-write transaction that touches the upload queue or y-dexie's updates to both.
 * IndexedDB runs read-write transactions whose scopes overlap in the order they were created, so the
 * queue row the doc store writes from a doc's 'update' event (created first, before y-dexie's write
 * from 'updateV2') commits before the update itself: a crash in between leaves a row for a change that
 * never reached disk (found and dropped as lost), never a change on disk that nothing would upload.
 */
export function orderPendingChangesFirst(down: DBCore): Partial<DBCore> {
  const linked = ['pendingChanges', DOC_UPDATES_TABLE];
  return {
    transaction: (stores, mode, options) => {
      const widen = mode === 'readwrite' && stores.some((s) => linked.includes(s));
      const scope = widen ? [...new Set([...stores, ...linked])] : stores;
      return down.transaction(scope, mode, options);
    },
  };
}
