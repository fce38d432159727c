// Moves blobs between this device and the sync server. Uploads: every `pending` row is PUT when the server
// is reachable; a failure leaves it pending and a later trigger (back online, the sync socket reconnecting,
// a new attachment, a timer) tries again, so attaching works offline. Fetches: a message showing a blob
// this device lacks GETs it once and keeps it in Dexie.
import type { LocalDb } from '../docs/local-db.ts';
import { type LocalSettings, observeLocalSettings, readLocalSettings } from '../settings/local-settings.ts';
import type { SyncStatusBoard } from '../sync/sync-status.ts';
import { type BlobServer, blobServerOf, fetchBlob, uploadBlob } from './blob-server.ts';
import { markUploaded, pendingUploads, putBlob, readBlobBytes } from './blob-store.ts';

const RETRY_MS = 10_000;

export class BlobSync {
  private settings: LocalSettings | undefined;
  private flushing: Promise<void> | undefined;
  private again = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly fetching = new Map<string, Promise<boolean>>();

  constructor(private readonly db: LocalDb) {
    observeLocalSettings(db, (s) => {
      this.settings = s;
      this.flush();
    });
    window.addEventListener('online', () => this.flush());
  }

  /** Uploads every pending blob; overlapping calls coalesce into one more pass. */
  flush(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = this.uploadPending().finally(() => {
      this.flushing = undefined;
      if (this.again) {
        this.again = false;
        this.flush();
      }
    });
  }

  /** Makes sure this device has the blob, fetching it from the server; true when it is here. */
  ensure(sha256: string): Promise<boolean> {
    const running = this.fetching.get(sha256);
    if (running) return running;
    const p = this.fetchMissing(sha256).finally(() => this.fetching.delete(sha256));
    this.fetching.set(sha256, p);
    return p;
  }

  private async server(): Promise<BlobServer | undefined> {
    this.settings ??= await readLocalSettings(this.db);
    return blobServerOf(this.settings);
  }

  private async uploadPending(): Promise<void> {
    clearTimeout(this.retry);
    const rows = await pendingUploads(this.db);
    if (!rows.length) return;
    const server = await this.server();
    if (!server) return; // Local-only device: the blobs wait for a server to be set.
    for (const row of rows) {
      const r = await uploadBlob(server, row.sha256, row.bytes);
      if (r.ok) await markUploaded(this.db, row.sha256, 'done');
      else if (r.permanent) {
        // The server will never take these bytes; the message still shows them on this device.
        console.warn(`[attachments] the server refused blob ${row.sha256}: ${r.code} ${r.message}`);
        await markUploaded(this.db, row.sha256, 'local');
      } else {
        this.retry = setTimeout(() => this.flush(), RETRY_MS);
        return;
      }
    }
  }

  private async fetchMissing(sha256: string): Promise<boolean> {
    if (await this.db.blobs.get(sha256)) return true;
    const server = await this.server();
    if (!server) return false;
    try {
      const got = await fetchBlob(server, sha256);
      if (!got) return false;
      await putBlob(this.db, { sha256, mime: got.mime, bytes: got.bytes, upload: 'done' });
      return true;
    } catch (e) {
      console.warn(`[attachments] ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }
}

const instances = new WeakMap<LocalDb, BlobSync>();

/**
 * One BlobSync per database and tab, started by the first view that needs it. The sync sockets' status
 * is the reachability signal: when a doc socket (re)connects, the pending uploads go.
 */
export function blobSyncOf(db: LocalDb, status?: SyncStatusBoard): BlobSync {
  let s = instances.get(db);
  if (!s) {
    const sync = new BlobSync(db);
    s = sync;
    instances.set(db, sync);
    let last = status?.global();
    status?.subscribe(() => {
      const now = status.global();
      if (now !== last && (now === 'syncing' || now === 'synced')) sync.flush();
      last = now;
    });
  }
  return s;
}

/**
 * The engine's `loadBlob` on this device: Dexie first, then the server (a turn resumed here may have been
 * started on another device), so an image is sent whenever any copy is reachable.
 */
export function loadBlobForTurn(db: LocalDb): (sha256: string) => Promise<Uint8Array | undefined> {
  return async (sha256) => {
    const here = await readBlobBytes(db, sha256);
    if (here) return here;
    return (await blobSyncOf(db).ensure(sha256)) ? readBlobBytes(db, sha256) : undefined;
  };
}
