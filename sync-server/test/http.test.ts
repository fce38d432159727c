import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedBackend, type StorageTarget } from '@boocode/testkit/databases/storage-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { connectClient, randomDocName, waitSynced } from './support/clients.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

describe('one port serves the app', () => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let clientDir: string;
  let server: SyncServer;
  beforeAll(async () => {
    target = await embeddedBackend.create();
    clientDir = await mkdtemp(join(tmpdir(), 'boocode-client-dist-'));
    await mkdir(join(clientDir, 'assets'));
    await writeFile(join(clientDir, 'index.html'), '<!doctype html><title>BooCode</title>');
    await writeFile(join(clientDir, 'assets', 'app.js'), 'console.log(1)');
    server = await startServer(target, {
      clientDir,
      plugins: [
        (app, ctx) => {
          app.get('/api/echo', async () => ({ storage: ctx.storage }));
        },
      ],
    });
  });
  afterAll(async () => {
    await server?.close();
    await target?.cleanup();
    await rm(clientDir, { recursive: true, force: true });
  });

  it('R17 serves the built client, falls back to index.html for app routes, and guards /api/* with the token', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>BooCode</title>');
    const asset = await fetch(`${server.url}/assets/app.js`);
    expect(asset.headers.get('content-type')).toContain('javascript');
    const deepLink = await fetch(`${server.url}/sessions/ses_123`);
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain('<title>BooCode</title>');

    expect((await fetch(`${server.url}/api/echo`)).status).toBe(401);
    const authed = await fetch(`${server.url}/api/echo`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(await authed.json()).toEqual({ storage: 'embedded' });
    const missing = await fetch(`${server.url}/api/nope?token=${TEST_TOKEN}`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('NOT_FOUND');

    const c = connectClient(server.url, randomDocName(), { token: TEST_TOKEN });
    await waitSynced(c);
    c.destroy();
  });
});

describe('token', () => {
  it('R8 without BOOCODE_TOKEN a token is generated on first start, kept in the data folder and reused', async () => {
    const target = await embeddedBackend.create();
    try {
      let server = await startServer(target, { token: undefined });
      const first = server.token;
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect((await readFile(join(target.dataDir, 'token'), 'utf8')).trim()).toBe(first);
      expect(server.appUrl).toBe(`${server.url}/#token=${encodeURIComponent(first)}`);
      await server.close();
      server = await startServer(target, { token: undefined });
      expect(server.token).toBe(first);
      await server.close();
    } finally {
      await target.cleanup();
    }
  });
});
