// The sync server's attack suite: requests from someone who is not the user's own BooCode tab (no
// token, a wrong one, a DNS-rebinding page, a request line bent to dodge the check) and input that
// would corrupt a doc. Each case checks the refusal AND that nothing leaked or was stored; positive
// controls prove the refusals are not just a broken server.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionDocName } from '@boocode/shared/doc/names';
import { openSpan } from '@boocode/shared/doc/spans';
import { CLOSE_UPDATE_NOT_APPLICABLE } from '@boocode/shared/protocol/sync';
import { embeddedBackend, type StorageTarget } from '@boocode/testkit/databases/storage-backends';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { RemoteListenRefusedError } from '../src/server/listen-host.ts';
import { connectClient, randomDocName, waitFor, waitSynced } from './support/clients.ts';
import { rawRequest, rawSocketRequest, statusOf } from './support/rawHttp.ts';
import { openRaw, openRawUrl } from './support/rawSocket.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

/** What a session's tool output holds: it must never reach anyone without the token. */
const SECRET = 'TOP-SECRET contents of ~/.ssh/id_ed25519';
// A 1×1 PNG, and a second one (different bytes) that an attacker tries to store.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const EVIL_PNG = Buffer.concat([PNG, Buffer.from('attacker')]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let target: StorageTarget & { cleanup(): Promise<void> };
let clientDir: string;
let server: SyncServer;
let port: number;
let host: string;
const sessionId = `ses_${Math.random().toString(36).slice(2, 12)}`;
let refused = 0;

beforeAll(async () => {
  target = await embeddedBackend.create();
  clientDir = await mkdtemp(join(tmpdir(), 'boocode-attack-client-'));
  await mkdir(join(clientDir, 'assets'));
  await writeFile(join(clientDir, 'index.html'), '<!doctype html><title>BooCode</title>');
  await writeFile(join(clientDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startServer(target, { clientDir });
  port = server.port;
  host = `127.0.0.1:${port}`;
  // A session whose tool span carries the secret, projected into the traces read model.
  const writer = connectClient(server.url, sessionDocName(sessionId), { token: TEST_TOKEN });
  await waitSynced(writer);
  openSpan(writer.doc, {
    id: 'spn_1',
    kind: 'tool',
    name: 'read_file',
    turn: 1,
    startedAt: 1000,
    input: { path: '~/.ssh/id_ed25519' },
    output: SECRET,
  });
  await waitFor(async () => (await readTraces()).includes(SECRET), 'the secret span is projected');
  writer.destroy();
  const put = await rawRequest(port, {
    method: 'PUT',
    path: `/api/blobs/${sha(PNG)}`,
    headers: { host, authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'image/png' },
    body: PNG,
  });
  expect(put.status).toBe(201);
});

afterAll(async () => {
  console.log(`sync-server attack suite: ${refused} cases refused (any that was not fails its test)`);
  await server?.close();
  await target?.cleanup();
  await rm(clientDir, { recursive: true, force: true });
});

async function readTraces(): Promise<string> {
  const res = await rawRequest(port, {
    method: 'GET',
    path: `/api/chats/${sessionId}/traces`,
    headers: { host, authorization: `Bearer ${TEST_TOKEN}` },
  });
  return res.text;
}

async function blobStored(hash: string): Promise<boolean> {
  const res = await rawRequest(port, {
    method: 'HEAD',
    path: `/api/blobs/${hash}`,
    headers: { host, authorization: `Bearer ${TEST_TOKEN}` },
  });
  return res.status === 200;
}

/** A refusal with this status (and code), whose body holds neither the secret nor the stored image. */
function expectRefused(res: { status: number; text: string }, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.text).not.toContain(SECRET);
  expect(res.text).not.toContain('IHDR');
  if (code) expect(JSON.parse(res.text).code).toBe(code);
  refused++;
}

describe('positive controls', () => {
  it('serves the app shell, /healthz and, with the token, the traces and the blob', async () => {
    for (const h of [host, `localhost:${port}`]) {
      const shell = await rawRequest(port, { method: 'GET', path: '/sessions/ses_1', headers: { host: h } });
      expect(shell.status, h).toBe(200);
      expect(shell.text).toContain('<title>BooCode</title>');
    }
    const health = await rawRequest(port, { method: 'GET', path: '/healthz', headers: { host } });
    expect(health.status).toBe(200);
    expect(await readTraces()).toContain(SECRET);
    expect(await blobStored(sha(PNG))).toBe(true);
  });
  it('syncs a stock y-websocket client opened on localhost', async () => {
    const c = connectClient(`http://localhost:${port}`, randomDocName(), { token: TEST_TOKEN });
    await waitSynced(c);
    c.destroy();
  });
});

describe('the token, decided on the matched route', () => {
  const traces = `/api/chats/${sessionId}/traces`;
  it.each([
    ['no token', traces, {}],
    ['a wrong token', traces, { authorization: `Bearer ${TEST_TOKEN}x` }],
    ['an empty bearer', traces, { authorization: 'Bearer ' }],
    ['the token as Basic credentials', traces, { authorization: `Basic ${btoa(`x:${TEST_TOKEN}`)}` }],
    ['the token in the query of a plain HTTP request', `${traces}?token=${TEST_TOKEN}`, {}],
    ['a percent-encoded /%61pi/ prefix', `/%61pi/chats/${sessionId}/traces`, {}],
    ['an encoded last segment', `/api/chats/${sessionId}/%74races`, {}],
    [
      'every character encoded',
      `/${[...'api'].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}/chats/${sessionId}/traces`,
      {},
    ],
    ['the snapshots route, encoded', `/%61pi/chats/${sessionId}/snapshots`, {}],
  ])('GET refuses %s with 401', async (_what, path, headers) => {
    expectRefused(await rawRequest(port, { method: 'GET', path, headers: { host, ...headers } }), 401, 'UNAUTHORIZED');
  });

  it.each([
    ['upper case /API/', `/API/chats/${sessionId}/traces`],
    ['a double slash before api', `//api/chats/${sessionId}/traces`],
    ['a double slash inside', `/api//chats/${sessionId}/traces`],
    ['a trailing slash', `/api/chats/${sessionId}/traces/`],
    ['a dot segment', `/./api/chats/${sessionId}/traces`],
    ['a dot-dot segment', `/x/../api/chats/${sessionId}/traces`],
  ])('GET of %s reaches no route and is not served the app shell', async (_what, path) => {
    const res = await rawRequest(port, { method: 'GET', path, headers: { host } });
    // 404 from the fallback, or 403 from the static file server (dot segments, double slashes).
    expect([403, 404]).toContain(res.status);
    expect(res.text).not.toContain('<title>');
    expectRefused(res, res.status);
  });

  it('HEAD is refused like GET, encoded or not', async () => {
    for (const path of [`/api/chats/${sessionId}/traces`, `/%61pi/chats/${sessionId}/traces`]) {
      const res = await rawRequest(port, { method: 'HEAD', path, headers: { host } });
      expect(res.status, path).toBe(401);
      refused++;
    }
  });

  it('OPTIONS answers nothing useful and no CORS', async () => {
    const res = await rawRequest(port, {
      method: 'OPTIONS',
      path: `/api/chats/${sessionId}/traces`,
      headers: { host, origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expectRefused(res, 404);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('an absolute-form request line is refused (400), whatever its authority', async () => {
    for (const authority of [host, 'evil.example']) {
      const raw = await rawSocketRequest(
        port,
        `GET http://${authority}/api/chats/${sessionId}/traces HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(raw), authority).toBe(400);
      expect(raw).toContain('ABSOLUTE_FORM_REFUSED');
      expect(raw).not.toContain(SECRET);
      refused++;
    }
  });
});

describe('blobs', () => {
  it.each([
    ['no token', `/api/blobs/${sha(EVIL_PNG)}`, {}],
    ['a wrong token', `/api/blobs/${sha(EVIL_PNG)}`, { authorization: 'Bearer nope' }],
    ['an encoded /%61pi/ prefix', `/%61pi/blobs/${sha(EVIL_PNG)}`, {}],
    ['the token in the query', `/api/blobs/${sha(EVIL_PNG)}?token=${TEST_TOKEN}`, {}],
  ])('PUT with %s is refused and stores nothing', async (_what, path, headers) => {
    const res = await rawRequest(port, {
      method: 'PUT',
      path,
      headers: { host, 'content-type': 'image/png', ...headers },
      body: EVIL_PNG,
    });
    expectRefused(res, 401, 'UNAUTHORIZED');
    expect(await blobStored(sha(EVIL_PNG))).toBe(false);
  });

  it('an absolute-form PUT is refused and stores nothing', async () => {
    const head =
      `PUT http://${host}/api/blobs/${sha(EVIL_PNG)} HTTP/1.1\r\nHost: ${host}\r\n` +
      `Content-Type: image/png\r\nContent-Length: ${EVIL_PNG.length}\r\nConnection: close\r\n\r\n`;
    const raw = await rawSocketRequest(port, Buffer.concat([Buffer.from(head), EVIL_PNG]));
    expect(statusOf(raw)).toBe(400);
    expect(await blobStored(sha(EVIL_PNG))).toBe(false);
    refused++;
  });

  it.each([
    ['GET', `/api/blobs/${sha(PNG)}`],
    ['GET', `/%61pi/blobs/${sha(PNG)}`],
    ['HEAD', `/%61pi/blobs/${sha(PNG)}`],
  ])('%s %s without a token is refused', async (method, path) => {
    const res = await rawRequest(port, { method, path, headers: { host } });
    expect(res.status).toBe(401);
    expect(res.body.includes(PNG)).toBe(false);
    refused++;
  });
});

describe('the Host header (DNS rebinding)', () => {
  const auth = { authorization: `Bearer ${TEST_TOKEN}` };
  const traces = `/api/chats/${sessionId}/traces`;
  it.each([
    ['a foreign name with the token', traces, () => ({ host: 'evil.example', ...auth })],
    ['a rebinding name with our port', traces, () => ({ host: `rebind.evil.example:${port}`, ...auth })],
    ['loopback on another port', traces, () => ({ host: '127.0.0.1:1', ...auth })],
    ['localhost with a trailing dot', traces, () => ({ host: `localhost.:${port}`, ...auth })],
    ['a foreign name on the app shell', '/', () => ({ host: 'evil.example' })],
    ['a foreign name on a static file', '/assets/app.js', () => ({ host: 'evil.example' })],
    ['a foreign name on /healthz', '/healthz', () => ({ host: `evil.example:${port}` })],
  ])('refuses %s (403)', async (_what, path, headers) => {
    const res = await rawRequest(port, { method: 'GET', path, headers: headers() });
    expectRefused(res, 403, 'FORBIDDEN_HOST');
    expect(res.text).not.toContain('<title>');
  });

  it('refuses an empty Host, a missing one (HTTP/1.0) and a repeated one', async () => {
    const heads = [
      `GET /healthz HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n`,
      `GET /healthz HTTP/1.0\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: evil.example\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ];
    for (const head of heads) {
      const raw = await rawSocketRequest(port, head);
      // Node answers 400 to some malformed heads itself; either way nothing is served.
      expect([400, 403], head).toContain(statusOf(raw));
      expect(raw).not.toContain('"ok":true');
      refused++;
    }
  });
});

describe('the sync socket', () => {
  it.each([
    ['no token', (doc: string) => openRaw(server.url, doc, { host })],
    ['a wrong token', (doc: string) => openRaw(server.url, `${doc}?token=wrong`, { host })],
    ['a wrong bearer', (doc: string) => openRaw(server.url, doc, { host, authorization: 'Bearer wrong' })],
    ['an encoded /%79js/ path', (doc: string) => openRawUrl(`ws://${host}/%79js/${doc}`, { host })],
  ])('closes a socket with %s with 4401 before loading any doc', async (_what, open) => {
    const before = server.stats().loadedDocs;
    const raw = open(randomDocName());
    const closed = await Promise.race([raw.closed, raw.refusedStatus.then((status) => ({ code: status, reason: '' }))]);
    expect([4401, 401]).toContain(closed.code);
    expect(server.stats().loadedDocs).toBe(before);
    refused++;
  });

  it('refuses a DNS-rebinding Host on the socket even with the token (403, no doc loaded)', async () => {
    const before = server.stats().loadedDocs;
    for (const h of ['evil.example', `evil.example:${port}`]) {
      const raw = openRaw(server.url, `${randomDocName()}?token=${TEST_TOKEN}`, { host: h });
      expect(await within(raw.refusedStatus, 'the upgrade is refused'), h).toBe(403);
      refused++;
    }
    expect(server.stats().loadedDocs).toBe(before);
  });

  it('refuses an absolute-form upgrade request line (400)', async () => {
    const head =
      `GET http://${host}/yjs/${randomDocName()}?token=${TEST_TOKEN} HTTP/1.1\r\nHost: evil.example\r\n` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const raw = await rawSocketRequest(port, head);
    expect(statusOf(raw)).toBe(400);
    refused++;
  });

  it('refuses an upgrade to an API route without the token (401)', async () => {
    const raw = openRawUrl(`ws://${host}/api/chats/${sessionId}/traces`, { host });
    expect(await raw.refusedStatus).toBe(401);
    expect(raw.messages).toHaveLength(0);
    refused++;
  });

  it(`an update that decodes but cannot be applied is closed with ${CLOSE_UPDATE_NOT_APPLICABLE} and not stored`, async () => {
    const doc = randomDocName();
    const raw = openRaw(server.url, `${doc}?token=${TEST_TOKEN}`, { host });
    await raw.opened;
    // The doc holds client 1's "hello"; the update is an item of client 2 whose left neighbour is in
    // "hello" and whose right neighbour is the item itself. Yjs decodes it and throws applying it.
    const base = new Y.Doc();
    base.clientID = 1;
    base.getText('t').insert(0, 'hello');
    raw.ws.send(updateFrame(Y.encodeStateAsUpdate(base)));
    await waitFor(async () => (await rowsOf(doc)) === 1, 'the valid update is stored');
    const selfRight = itemUpdate({ client: 2, clock: 0, origin: [1, 2], rightOrigin: [2, 0], text: 'x' });
    expect(() => Y.decodeUpdate(selfRight)).not.toThrow();
    raw.ws.send(updateFrame(selfRight));
    expect(await within(raw.closed, 'the socket is closed')).toEqual({
      code: CLOSE_UPDATE_NOT_APPLICABLE,
      reason: 'UPDATE_NOT_APPLICABLE',
    });
    // A zero-length delete range decodes too and throws on any doc.
    const again = openRaw(server.url, `${doc}?token=${TEST_TOKEN}`, { host });
    await again.opened;
    again.ws.send(updateFrame(zeroLengthDelete(70)));
    expect((await within(again.closed, 'the second socket is closed')).code).toBe(CLOSE_UPDATE_NOT_APPLICABLE);
    await server.flush();
    expect(await rowsOf(doc)).toBe(1);
    // The doc is intact and still takes edits.
    const c = connectClient(server.url, doc, { token: TEST_TOKEN });
    await waitSynced(c);
    expect(c.doc.getText('t').toString()).toBe('hello');
    c.doc.getText('t').insert(5, '!');
    await waitFor(async () => (await rowsOf(doc)) === 2, 'a later valid edit is stored');
    c.destroy();
    refused += 2;
  });
});

describe('headers on every response', () => {
  const sent = () =>
    [
      ['the app shell', 'GET', '/', {}],
      ['a static file', 'GET', '/assets/app.js', {}],
      ['the SPA fallback', 'GET', '/sessions/ses_1', {}],
      ['/healthz', 'GET', '/healthz', {}],
      ['an API answer', 'GET', `/api/chats/${sessionId}/traces`, { authorization: `Bearer ${TEST_TOKEN}` }],
      ['a 401', 'GET', `/api/chats/${sessionId}/traces`, {}],
      ['a 404', 'GET', '/api/nothing', {}],
      ['a 403', 'GET', '/', { host: 'evil.example' }],
    ] as const;

  it('a script injected into the page would not run: CSP without inline script or eval, on every response', async () => {
    for (const [what, method, path, headers] of sent()) {
      const res = await rawRequest(port, { method, path, headers: { host, ...headers } });
      const csp = String(res.headers['content-security-policy'] ?? '');
      const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? '';
      expect(scriptSrc, what).toContain("'self'");
      expect(scriptSrc, what).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*|data:|blob:/);
      expect(csp, what).toMatch(/default-src 'self'/);
      expect(csp, what).toMatch(/object-src 'none'/);
      expect(csp, what).toMatch(/base-uri 'none'/);
      refused++;
    }
  });

  it('another site cannot frame the app, read the URL through Referer, or have a file sniffed', async () => {
    for (const [what, method, path, headers] of sent()) {
      const res = await rawRequest(port, { method, path, headers: { host, ...headers } });
      expect(res.headers['content-security-policy'], what).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-frame-options'], what).toBe('DENY');
      expect(res.headers['referrer-policy'], what).toBe('no-referrer');
      expect(res.headers['x-content-type-options'], what).toBe('nosniff');
      refused++;
    }
  });

  it('a blob keeps its own sandboxing CSP', async () => {
    const res = await rawRequest(port, {
      method: 'GET',
      path: `/api/blobs/${sha(PNG)}`,
      headers: { host, authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('listening beyond loopback', () => {
  it('refuses HOST=0.0.0.0 (or a LAN address) without BOOCODE_ALLOW_REMOTE, before opening anything', async () => {
    for (const h of ['0.0.0.0', '::', '192.168.1.5']) {
      await expect(startServer(target, { host: h })).rejects.toBeInstanceOf(RemoteListenRefusedError);
      refused++;
    }
  });
});

/** Fails (instead of hanging to the test's timeout) when a refusal never comes. */
function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function rowsOf(doc: string): Promise<number> {
  const res = await server.pool.query('SELECT count(*)::int AS n FROM doc_updates WHERE doc = $1', [doc]);
  return res.rows[0].n;
}

function updateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  syncProtocol.writeUpdate(e, update);
  return encoding.toUint8Array(e);
}

/** A Yjs v1 update holding one string item, written field by field (as lib0 encodes it). */
function itemUpdate(o: {
  client: number;
  clock: number;
  origin: [number, number];
  rightOrigin: [number, number];
  text: string;
}): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client
  encoding.writeVarUint(e, 1); // one struct
  encoding.writeVarUint(e, o.client);
  encoding.writeVarUint(e, o.clock);
  encoding.writeUint8(e, 4 | 0x80 | 0x40); // ContentString, has origin, has right origin
  for (const n of [...o.origin, ...o.rightOrigin]) encoding.writeVarUint(e, n);
  encoding.writeVarString(e, o.text);
  encoding.writeVarUint(e, 0); // empty delete set
  return encoding.toUint8Array(e);
}

/** An update with no items and a delete set naming a zero-length range. */
function zeroLengthDelete(client: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  for (const n of [1, client, 1, 2, 0]) encoding.writeVarUint(e, n);
  return encoding.toUint8Array(e);
}
