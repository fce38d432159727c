// `PUT /api/blobs/:sha256` stores raw image bytes after checking the hash, the type (sniffed from the
// bytes: SVG and HTML never pass, whatever their name or header says) and the size cap.
// `GET`/`HEAD` serve them as immutable, with the stored sniffed type and `nosniff`.
import { sha256Hex } from '@boocode/shared/blobs/sha256-hex';
import { sniffImageType } from '@boocode/shared/blobs/sniff-image-type';
import { BLOB_DEFAULT_MAX_BYTES, type BlobErrorCode, type PutBlobResponse } from '@boocode/shared/protocol/blobs';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Authorize, authorizeHook } from '../projection/route-guard.ts';
import type { SqlQuery } from '../projection/sql-query.ts';
import { insertBlob, migrateBlobTable, readBlob, statBlob } from './blob-store.ts';

export interface BlobRoutesOptions {
  query: SqlQuery;
  /** Per-request check on top of the server's own; allows everything when absent. */
  authorize?: Authorize;
  /** Largest blob accepted, in bytes (10 MiB by default). */
  maxBytes?: number;
}

const HASH = /^[0-9a-f]{64}$/;
const PATH = '/api/blobs/:sha256';

type BlobRequest = FastifyRequest<{ Params: { sha256: string } }>;

export function registerBlobRoutes(app: FastifyInstance, opts: BlobRoutesOptions) {
  const { query } = opts;
  const maxBytes = opts.maxBytes ?? BLOB_DEFAULT_MAX_BYTES;
  return app.register(async (scope) => {
    await migrateBlobTable(query);
    if (opts.authorize) scope.addHook('onRequest', authorizeHook(opts.authorize));

    // In this scope only: every body arrives as raw bytes whatever its declared type, because the
    // type that counts is the one sniffed from the bytes (the header is only a claim).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => {
      done(null, body);
    });
    scope.setErrorHandler((error: FastifyError, _request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
        return fail(reply, 413, 'TOO_LARGE', `A blob may be at most ${maxBytes} bytes.`);
      }
      throw error;
    });

    scope.put(PATH, { bodyLimit: maxBytes }, async (request: BlobRequest, reply) => {
      const { sha256 } = request.params;
      if (!HASH.test(sha256)) return fail(reply, 400, 'INVALID_HASH', 'The name must be 64 lowercase hex characters.');
      const body = request.body;
      if (!(body instanceof Uint8Array) || body.length === 0) {
        return fail(reply, 400, 'EMPTY_BODY', 'Send the blob bytes as the request body.');
      }
      if (body.length > maxBytes) return fail(reply, 413, 'TOO_LARGE', `A blob may be at most ${maxBytes} bytes.`);
      const actual = await sha256Hex(body);
      if (actual !== sha256) {
        return fail(reply, 400, 'HASH_MISMATCH', `The bytes hash to ${actual}, not to the name in the URL.`);
      }
      const mime = sniffImageType(body);
      if (!mime) return fail(reply, 415, 'UNSUPPORTED_TYPE', 'Only PNG, JPEG, WebP and GIF images are stored.');
      const created = await insertBlob(query, { sha256, mime, bytes: body });
      const res: PutBlobResponse = { sha256, mime, size: body.length, created };
      return reply.code(created ? 201 : 200).send(res);
    });

    // Declared before GET so Fastify does not add its own HEAD, which would read the bytes.
    scope.head(PATH, async (request: BlobRequest, reply) => {
      const { sha256 } = request.params;
      const stat = HASH.test(sha256) ? await statBlob(query, sha256) : undefined;
      if (!stat) return reply.code(404).send();
      setBlobHeaders(reply, sha256, stat.mime);
      reply.header('content-length', stat.size);
      return reply.code(200).send();
    });

    scope.get(PATH, async (request: BlobRequest, reply) => {
      const { sha256 } = request.params;
      if (!HASH.test(sha256)) return fail(reply, 400, 'INVALID_HASH', 'The name must be 64 lowercase hex characters.');
      if (request.headers['if-none-match'] === `"${sha256}"`) {
        setBlobHeaders(reply, sha256, undefined);
        return reply.code(304).send();
      }
      const blob = await readBlob(query, sha256);
      if (!blob) return fail(reply, 404, 'NOT_FOUND', 'No blob with this hash is stored.');
      setBlobHeaders(reply, sha256, blob.mime);
      return reply.code(200).send(blob.bytes);
    });
  });
}

function setBlobHeaders(reply: FastifyReply, sha256: string, mime: string | undefined) {
  if (mime) reply.header('content-type', mime);
  // The bytes under a hash never change; `nosniff` and the CSP keep a browser from running them as
  // anything but the image type we sniffed.
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cache-control', 'public, max-age=31536000, immutable');
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  reply.header('etag', `"${sha256}"`);
}

function fail(reply: FastifyReply, status: number, code: BlobErrorCode, message: string) {
  return reply.code(status).send({ code, message });
}
