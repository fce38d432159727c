// The device's own database (IndexedDB through Dexie): every Y.Doc's updates (y-dexie), local-only
// settings such as the sync token, and later pairing and blobs. Nothing here is required to be on
// the server; the server is a peer the docs sync with.
import { Dexie, type EntityTable } from 'dexie';
import yDexie from 'y-dexie';
import type * as Y from 'yjs';

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

export type LocalDb = Dexie & {
  docs: EntityTable<DocRow, 'name'>;
  settings: EntityTable<LocalSettingRow, 'key'>;
  blobs: EntityTable<BlobRow, 'sha256'>;
  notifyClaims: EntityTable<NotifyClaimRow, 'id'>;
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
  return db;
}
