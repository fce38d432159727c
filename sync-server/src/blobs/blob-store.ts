// Content-addressed image blobs in Postgres. A row's key is the SHA-256 of its bytes, so a row never
// changes once written and storing the same bytes twice keeps one row.
import type { AllowedImageType } from '@boocode/shared/blobs/sniff-image-type';
import { migrateOnce, runMigrations, type SqlQuery } from '../projection/sql-query.ts';

const BLOB_DDL = [
  `CREATE TABLE IF NOT EXISTS blobs (
    sha256 text COLLATE "C" PRIMARY KEY,
    mime text NOT NULL,
    bytes bytea NOT NULL,
    size integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
];

const migrated = new WeakMap<SqlQuery, Promise<void>>();

export function migrateBlobTable(query: SqlQuery): Promise<void> {
  return migrateOnce(migrated, query, () => runMigrations(query, BLOB_DDL));
}

/** Stores the blob unless it is there already; true when this call stored it. */
export async function insertBlob(
  query: SqlQuery,
  blob: { sha256: string; mime: AllowedImageType; bytes: Uint8Array },
): Promise<boolean> {
  const res = await query(
    `INSERT INTO blobs (sha256, mime, bytes, size) VALUES ($1, $2, $3, $4)
     ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
    [blob.sha256, blob.mime, blob.bytes, blob.bytes.length],
  );
  return res.rows.length === 1;
}

export async function readBlob(query: SqlQuery, sha256: string) {
  const res = await query<{ mime: string; bytes: Uint8Array; size: number }>(
    'SELECT mime, bytes, size FROM blobs WHERE sha256 = $1',
    [sha256],
  );
  const row = res.rows[0];
  if (!row) return undefined;
  // pg gives a Buffer, PGlite a Uint8Array: wrap without copying.
  const bytes = Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
  return { mime: row.mime, bytes, size: Number(row.size) };
}

/** Type and size without reading the bytes (for HEAD and for a cheap "already stored?"). */
export async function statBlob(query: SqlQuery, sha256: string) {
  const res = await query<{ mime: string; size: number }>('SELECT mime, size FROM blobs WHERE sha256 = $1', [sha256]);
  const row = res.rows[0];
  return row ? { mime: row.mime, size: Number(row.size) } : undefined;
}
