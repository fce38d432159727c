// The sync server's blob API as this device reaches it: the HTTP origin is derived from the sync URL
// (`ws://host/yjs` → `http://host`), the token is the sync token. PUT uploads, GET fetches and verifies.
import { sha256Hex } from '@boocode/shared/blobs/sha256-hex';
import { sniffImageType } from '@boocode/shared/blobs/sniff-image-type';
import { BlobError } from '@boocode/shared/protocol/blobs';
import type { LocalSettings } from '../settings/local-settings.ts';
import { type ServerApi, serverApiOf } from '../sync/server-api.ts';

export type BlobServer = ServerApi;

export function blobServerOf(s: LocalSettings): BlobServer | undefined {
  return serverApiOf(s);
}

export type UploadResult =
  | { ok: true }
  /** The server refused these bytes for good (type, size, hash): retrying cannot help. */
  | { ok: false; permanent: true; code: string; message: string }
  /** Network down, server away or erroring: try again later. */
  | { ok: false; permanent: false; message: string };

export async function uploadBlob(server: BlobServer, sha256: string, bytes: Blob): Promise<UploadResult> {
  let res: Response;
  try {
    res = await fetch(`${server.origin}/api/blobs/${sha256}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
  } catch (e) {
    return { ok: false, permanent: false, message: e instanceof Error ? e.message : String(e) };
  }
  if (res.ok) return { ok: true };
  const body = BlobError.safeParse(await res.json().catch(() => undefined));
  // 404: a server without the blob routes yet; 401: a token being changed. Both may be fixed later.
  if (res.status >= 500 || res.status === 404 || res.status === 401 || !body.success)
    return { ok: false, permanent: false, message: `The server answered ${res.status}.` };
  return { ok: false, permanent: true, code: body.data.code, message: body.data.message };
}

/** The blob's bytes from the server, checked against the hash and the allowed types; undefined if absent. */
export async function fetchBlob(
  server: BlobServer,
  sha256: string,
): Promise<{ bytes: Uint8Array; mime: string } | undefined> {
  const res = await fetch(`${server.origin}/api/blobs/${sha256}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`Fetching an attachment failed: the server answered ${res.status}.`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if ((await sha256Hex(bytes)) !== sha256) throw new Error('A fetched attachment did not match its hash.');
  const mime = sniffImageType(bytes);
  if (!mime) throw new Error('A fetched attachment is not an allowed image type.');
  return { bytes, mime };
}
