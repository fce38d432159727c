// This device's content-addressed blobs (Dexie `blobs` table): written once per hash, read as bytes for the
// model and as Blobs for display. The same bytes attached twice are one row.
import type { BlobRow, LocalDb } from '../docs/local-db.ts';

export interface NewBlob {
  sha256: string;
  mime: string;
  bytes: Uint8Array;
  upload: NonNullable<BlobRow['upload']>;
}

/** Stores the blob unless a row with its hash exists; true when it was new. */
export async function putBlob(db: LocalDb, blob: NewBlob): Promise<boolean> {
  return db.transaction('rw', db.blobs, async () => {
    if (await db.blobs.get(blob.sha256)) return false;
    await db.blobs.add({
      sha256: blob.sha256,
      mime: blob.mime,
      bytes: new Blob([blob.bytes as BlobPart], { type: blob.mime }),
      createdAt: Date.now(),
      upload: blob.upload,
    });
    return true;
  });
}

export async function readBlobBytes(db: LocalDb, sha256: string): Promise<Uint8Array | undefined> {
  const row = await db.blobs.get(sha256);
  return row ? new Uint8Array(await row.bytes.arrayBuffer()) : undefined;
}

export function pendingUploads(db: LocalDb): Promise<BlobRow[]> {
  return db.blobs.where('upload').equals('pending').toArray();
}

export async function markUploaded(db: LocalDb, sha256: string, upload: 'done' | 'local'): Promise<void> {
  await db.blobs.update(sha256, { upload });
}
