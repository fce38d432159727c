/**
 * Content-addressed blobs on the sync server: `PUT /api/blobs/:sha256` (raw bytes) and
 * `GET|HEAD /api/blobs/:sha256`. The name is the SHA-256 of the bytes; the type is sniffed from them.
 */
import { z } from 'zod';
import { ALLOWED_IMAGE_TYPES } from '../blobs/sniff-image-type.ts';

export const BLOB_DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export const BlobHash = z.string().regex(/^[0-9a-f]{64}$/, 'a blob name is 64 lowercase hex characters');

/** 201 when stored now, 200 when the same bytes were already there (PUT is idempotent). */
export const PutBlobResponse = z.object({
  sha256: BlobHash,
  mime: z.enum(ALLOWED_IMAGE_TYPES),
  size: z.number().int().nonnegative(),
  created: z.boolean(),
});
export type PutBlobResponse = z.infer<typeof PutBlobResponse>;

export const BlobErrorCode = z.enum([
  /** The name in the URL is not a SHA-256 in lowercase hex. */
  'INVALID_HASH',
  /** The bytes do not hash to the name in the URL. */
  'HASH_MISMATCH',
  /** The bytes are not PNG, JPEG, WebP or GIF (SVG and HTML are refused whatever they are called). */
  'UNSUPPORTED_TYPE',
  /** Larger than the server's cap. */
  'TOO_LARGE',
  'EMPTY_BODY',
  'NOT_FOUND',
]);
export type BlobErrorCode = z.infer<typeof BlobErrorCode>;

export const BlobError = z.object({ code: BlobErrorCode, message: z.string() });
export type BlobError = z.infer<typeof BlobError>;
