import { createHash } from 'node:crypto';
import { sha256Hex } from '@boocode/shared/blobs/sha256-hex';
import { sniffImageType } from '@boocode/shared/blobs/sniff-image-type';
import { BlobError, PutBlobResponse } from '@boocode/shared/protocol/blobs';
import { type TestDatabase, testBackends } from '@boocode/testkit/databases/sql-backends';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBlobRoutes } from '../../src/blobs/blob-routes.ts';

// A real 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
const WEBP = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([26, 0, 0, 0]),
  Buffer.from('WEBPVP8 '),
  Buffer.alloc(18),
]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>');
const HTML = Buffer.from('<!doctype html><script>alert(1)</script>');
const MAX = 2048;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('blob sniffing and hashing (shared, isomorphic)', () => {
  it('names PNG, JPEG, GIF and WebP from their bytes and refuses SVG, HTML and truncated headers', () => {
    expect(sniffImageType(PNG)).toBe('image/png');
    expect(sniffImageType(JPEG)).toBe('image/jpeg');
    expect(sniffImageType(GIF)).toBe('image/gif');
    expect(sniffImageType(WEBP)).toBe('image/webp');
    expect(sniffImageType(SVG)).toBeUndefined();
    expect(sniffImageType(HTML)).toBeUndefined();
    expect(sniffImageType(PNG.subarray(0, 4))).toBeUndefined();
    expect(sniffImageType(Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt '))).toBeUndefined();
    expect(sniffImageType(new Uint8Array())).toBeUndefined();
  });

  it('hashes with WebCrypto to the same lowercase hex as node:crypto', async () => {
    expect(await sha256Hex(PNG)).toBe(sha(PNG));
    expect(await sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe.each(testBackends())('blob routes on $name', (backend) => {
  let db: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await backend.open();
    app = Fastify();
    // A JSON route outside the plugin: the plugin's raw-body parser must not leak to it.
    app.post('/api/echo', async (req) => req.body);
    registerBlobRoutes(app, {
      query: db.query,
      maxBytes: MAX,
      authorize: (req) => req.headers.authorization === 'Bearer secret',
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const auth = { authorization: 'Bearer secret' };
  const put = (hash: string, body: Buffer, type = 'application/octet-stream') =>
    app.inject({ method: 'PUT', url: `/api/blobs/${hash}`, headers: { ...auth, 'content-type': type }, payload: body });
  const get = (hash: string, method: 'GET' | 'HEAD' = 'GET') =>
    app.inject({ method, url: `/api/blobs/${hash}`, headers: auth });
  const count = async (hash: string) =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1', [hash])).rows[0]!.n;

  it('stores an image and serves the same bytes with its sniffed type, nosniff and an immutable cache', async () => {
    const hash = sha(PNG);
    const res = await put(hash, PNG, 'image/png');
    expect(res.statusCode).toBe(201);
    expect(PutBlobResponse.parse(res.json())).toEqual({
      sha256: hash,
      mime: 'image/png',
      size: PNG.length,
      created: true,
    });

    const got = await get(hash);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(PNG)).toBe(true);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const revalidated = await app.inject({
      method: 'GET',
      url: `/api/blobs/${hash}`,
      headers: { ...auth, 'if-none-match': `"${hash}"` },
    });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.rawPayload.length).toBe(0);

    const head = await get(hash, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('image/png');
    expect(Number(head.headers['content-length'])).toBe(PNG.length);
    expect(head.rawPayload.length).toBe(0);
  });

  it('stores the same image twice only once, and the second PUT says it was already there', async () => {
    const hash = sha(JPEG);
    expect((await put(hash, JPEG)).statusCode).toBe(201);
    const again = await put(hash, JPEG, 'image/jpeg');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, mime: 'image/jpeg' });
    expect(await count(hash)).toBe(1);
  });

  it('types a blob from its bytes, not from the header it was sent with', async () => {
    for (const [bytes, mime] of [
      [GIF, 'image/gif'],
      [WEBP, 'image/webp'],
    ] as const) {
      const res = await put(sha(bytes), bytes, 'image/png');
      expect(res.json()).toMatchObject({ mime });
      expect((await get(sha(bytes))).headers['content-type']).toBe(mime);
    }
  });

  it('refuses bytes that do not hash to the name, and stores nothing', async () => {
    const wrong = sha(Buffer.from('something else'));
    const res = await put(wrong, PNG, 'image/png');
    expect(res.statusCode).toBe(400);
    expect(BlobError.parse(res.json()).code).toBe('HASH_MISMATCH');
    expect((await get(wrong)).statusCode).toBe(404);
    expect(await count(wrong)).toBe(0);
  });

  it('refuses SVG and HTML whatever they are sent as, even with a correct hash', async () => {
    for (const [bytes, type] of [
      [SVG, 'image/png'],
      [SVG, 'image/svg+xml'],
      [SVG, 'application/octet-stream'],
      [HTML, 'text/html'],
      [HTML, 'image/jpeg'],
    ] as const) {
      const res = await put(sha(bytes), bytes, type);
      expect(res.statusCode, `${type}`).toBe(415);
      expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_TYPE' });
    }
    expect(await count(sha(SVG))).toBe(0);
    expect((await get(sha(SVG))).statusCode).toBe(404);
  });

  it('refuses a blob over the size cap, and an empty one', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(MAX)]);
    const res = await put(sha(big), big, 'image/png');
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'TOO_LARGE' });
    expect(await count(sha(big))).toBe(0);
    const atCap = Buffer.concat([PNG, Buffer.alloc(MAX - PNG.length)]);
    expect((await put(sha(atCap), atCap)).statusCode).toBe(201);
    const empty = await put(sha(Buffer.alloc(0)), Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
  });

  it('answers 404 for an absent blob, 400 for a name that is not a hash, 401 without authorisation', async () => {
    const absent = await get('0'.repeat(64));
    expect(absent.statusCode).toBe(404);
    expect(absent.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await get('0'.repeat(64), 'HEAD')).statusCode).toBe(404);
    expect((await get('../etc/passwd')).statusCode).not.toBe(200);
    expect((await put('ABC', PNG)).json()).toMatchObject({ code: 'INVALID_HASH' });
    const denied = await app.inject({ method: 'GET', url: `/api/blobs/${sha(PNG)}` });
    expect(denied.statusCode).toBe(401);
  });

  it("accepts an image above Fastify's default 1 MiB body limit when the cap allows it", async () => {
    const big = Fastify();
    registerBlobRoutes(big, { query: db.query });
    await big.ready();
    try {
      const bytes = Buffer.concat([PNG, Buffer.alloc(3 * 1024 * 1024)]);
      const res = await big.inject({
        method: 'PUT',
        url: `/api/blobs/${sha(bytes)}`,
        headers: { 'content-type': 'image/png' },
        payload: bytes,
      });
      expect(res.statusCode).toBe(201);
      const got = await big.inject({ method: 'GET', url: `/api/blobs/${sha(bytes)}` });
      expect(got.rawPayload.equals(bytes)).toBe(true);
    } finally {
      await big.close();
    }
  });

  it('leaves JSON parsing of routes outside the plugin alone', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/echo', payload: { a: 1 } });
    expect(res.json()).toEqual({ a: 1 });
  });
});
