// The model proxy and the runner's secrets: keys are used upstream and never returned to the
// page, stored keys and the generated token live in 0600 files, commands do not inherit keys.
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner } from '../../src/runner/create-runner.ts';
import { type RunnerFixture, startRunner } from './runner-fixture.ts';

let upstream: Server;
let seen: Array<{ url?: string; headers: IncomingHttpHeaders; body: string }> = [];
let f: RunnerFixture;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ url: req.url, headers: req.headers, body });
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream-secret': 'leak' });
        res.end(JSON.stringify({ data: [{ id: 'fake-model' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n');
      setTimeout(() => res.end('data: {"choices":[{"delta":{"content":"lo"}}]}\n\ndata: [DONE]\n\n'), 50);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  f = await startRunner({
    providers: [{ id: 'fake', baseUrl, apiKeyEnv: 'FAKE_API_KEY' }],
    env: { ...process.env, FAKE_API_KEY: 'sk-from-env' },
  });
});
afterAll(async () => {
  await f.close();
  upstream.close();
});

describe('model proxy', () => {
  it('forwards /v1/models with the key from the environment, without upstream headers', async () => {
    seen = [];
    const res = await f.get('/v1/models');
    expect(res.json()).toEqual({ data: [{ id: 'fake-model' }] });
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-from-env');
    expect(res.headers['x-upstream-secret']).toBeUndefined();
  });

  it('streams chat completions through and uses a stored key, which it never returns', async () => {
    const put = await fetch(`${f.url}/providers/fake/key`, {
      method: 'PUT',
      headers: { ...f.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'sk-stored' }),
    });
    expect(put.status).toBe(204);
    expect((await stat(join(f.dataDir, 'provider-keys.json'))).mode & 0o777).toBe(0o600);

    seen = [];
    const res = await f.post('/v1/chat/completions', { model: 'fake-model', stream: true, messages: [] });
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.text).toContain('"Hel"');
    expect(res.text).toContain('[DONE]');
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-stored');
    expect(JSON.parse(seen[0]?.body ?? '{}')).toMatchObject({ model: 'fake-model', stream: true });

    const providers = await f.get('/providers');
    expect(providers.json()).toMatchObject({
      providers: [{ id: 'fake', baseUrl: expect.any(String), hasKey: true, default: true }],
    });
    expect(providers.text).not.toContain('sk-');
  });

  it('removes a stored key on DELETE, idempotently, falling back to the environment key', async () => {
    await fetch(`${f.url}/providers/fake/key`, {
      method: 'PUT',
      headers: { ...f.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'sk-to-remove' }),
    });
    const removed = await f.delete('/providers/fake/key');
    expect(removed.status).toBe(200);
    // The environment still supplies one, and the answer says so.
    expect(removed.json()).toEqual({ id: 'fake', removed: true, hasKey: true });
    expect(await readFile(join(f.dataDir, 'provider-keys.json'), 'utf8')).not.toContain('sk-to-remove');

    seen = [];
    await f.get('/v1/models');
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-from-env');

    const again = await f.delete('/providers/fake/key');
    expect(again.status).toBe(200);
    expect(again.json()).toEqual({ id: 'fake', removed: false, hasKey: true });
  });

  it('says no key is set once the only key is removed, and refuses unknown providers and bodies in words', async () => {
    const bare = await startRunner({ providers: [{ id: 'bare', baseUrl: 'http://127.0.0.1:9/v1' }], env: {} });
    try {
      const put = await fetch(`${bare.url}/providers/bare/key`, {
        method: 'PUT',
        headers: { ...bare.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey: 'sk-only' }),
      });
      expect(put.status).toBe(204);
      expect((await bare.delete('/providers/bare/key')).json()).toEqual({ id: 'bare', removed: true, hasKey: false });
      expect((await bare.get('/providers')).json()).toMatchObject({
        providers: [{ id: 'bare', baseUrl: expect.any(String), hasKey: false, default: true }],
      });
      const chat = await bare.post('/v1/chat/completions', { model: 'm', messages: [] });
      expect(chat.status).toBe(409);
      expect(chat.json().code).toBe('NO_API_KEY');

      const unknown = await bare.delete('/providers/nope/key');
      expect(unknown.status).toBe(404);
      expect(unknown.json()).toMatchObject({ code: 'UNKNOWN_PROVIDER', message: expect.stringContaining('“nope”') });
      expect((await bare.delete('/providers/Bad%20Id/key')).status).toBe(400);
      const extra = await bare.delete('/providers/bare/key', { apiKey: 'x' });
      expect(extra.status).toBe(400);
      expect(extra.json().code).toBe('INVALID_REQUEST');
    } finally {
      await bare.close();
    }
  });

  it('does not pass provider keys or the runner token to commands', async () => {
    const res = await f.post('/tools/run_command', { input: { command: 'env' }, approved: true });
    expect(res.json().stdout).not.toContain('sk-from-env');
    expect(res.json().stdout).not.toContain('FAKE_API_KEY');
  });
});

describe('runner token', () => {
  it('is generated once per install into a 0600 file and reused', async () => {
    const dataDir = join(f.base, 'fresh-data');
    const first = await createRunner({ workspace: f.workspace, dataDir, port: 0 });
    const second = await createRunner({ workspace: f.workspace, dataDir, port: 0 });
    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(second.token).toBe(first.token);
    expect((await stat(join(dataDir, 'runner-token'))).mode & 0o777).toBe(0o600);
    await Promise.all([first.close(), second.close()]);
  });
});
