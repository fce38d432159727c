// The attack suite: every request here comes from someone who is not the user's own BooCode
// tab, or asks for something outside the workspace, and must be refused before any work.
// Each case also checks that nothing happened (no file read, written, or command run), and
// positive controls prove the refusals are not just a broken runner.
import { lstat, mkdir, readFile, symlink } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  fileText,
  type RunnerFixture,
  rawRequest,
  rawSocketRequest,
  startRunner,
  TOKEN,
} from './runner-fixture.ts';

let f: RunnerFixture;
let refused = 0;

beforeAll(async () => {
  f = await startRunner();
  await symlink(f.outside, join(f.workspace, 'link-out'));
  await symlink(join(f.outside, 'secret.txt'), join(f.workspace, 'secret-link.txt'));
  await mkdir(join(f.workspace, 'src'));
});
afterAll(async () => {
  console.log(`attack suite: ${refused} attack cases refused (any that was not fails its test)`);
  await f.close();
});

function expectRefused(res: { status: number; text: string }, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.text).not.toContain('outside secret');
  if (code) expect(JSON.parse(res.text).code).toBe(code);
  refused++;
}

const readBody = JSON.stringify({ input: { path: 'src' } });
const jsonHeaders = () => ({ ...f.headers, 'content-type': 'application/json' });

describe('positive controls', () => {
  it('serves the user tab with token, Host and Origin', async () => {
    const res = await f.post('/tools/list_files', { input: {} });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
  });
  it('serves a CLI caller with a token and no Origin', async () => {
    const { origin: _o, ...headers } = jsonHeaders();
    const res = await rawRequest(f.port, { method: 'POST', path: '/tools/list_files', headers, body: '{"input":{}}' });
    expect(res.status).toBe(200);
  });
});

describe('the wall', () => {
  it('refuses a request with no token', async () => {
    const { authorization: _a, ...headers } = jsonHeaders();
    expectRefused(
      await rawRequest(f.port, { method: 'POST', path: '/tools/list_files', headers, body: readBody }),
      403,
      'UNAUTHORIZED',
    );
  });
  it('refuses a wrong token', async () => {
    const headers = { ...jsonHeaders(), authorization: `Bearer ${TOKEN}x` };
    expectRefused(
      await rawRequest(f.port, { method: 'POST', path: '/tools/list_files', headers, body: readBody }),
      403,
      'UNAUTHORIZED',
    );
  });
  it('refuses the token in the query string of a plain HTTP request', async () => {
    const { authorization: _a, ...headers } = jsonHeaders();
    const path = `/tools/list_files?token=${TOKEN}`;
    expectRefused(await rawRequest(f.port, { method: 'POST', path, headers, body: readBody }), 403, 'UNAUTHORIZED');
  });
  it('refuses Host: evil.example (DNS rebinding) even with a valid token', async () => {
    const headers = { ...jsonHeaders(), host: 'evil.example' };
    expectRefused(
      await rawRequest(f.port, { method: 'POST', path: '/tools/list_files', headers, body: readBody }),
      403,
      'FORBIDDEN_HOST',
    );
  });
  it('refuses a rebinding Host that carries the right port', async () => {
    const headers = { ...jsonHeaders(), host: `evil.example:${f.port}` };
    expectRefused(
      await rawRequest(f.port, { method: 'POST', path: '/tools/list_files', headers, body: readBody }),
      403,
      'FORBIDDEN_HOST',
    );
  });
  it('refuses an empty Host', async () => {
    const head = `GET /health HTTP/1.1\r\nHost: \r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`;
    const response = await rawSocketRequest(f.port, head);
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    expect(response).toContain('FORBIDDEN_HOST');
    refused++;
  });
  it('refuses a request with no Host at all (HTTP/1.0 and HTTP/1.1)', async () => {
    const old = await rawSocketRequest(f.port, `GET /health HTTP/1.0\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    expect(old).toMatch(/^HTTP\/1\.1 403 /);
    // Node itself answers 400 to an HTTP/1.1 request without Host, before the wall.
    const missing = await rawSocketRequest(
      f.port,
      `GET /health HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    expect(missing).toMatch(/^HTTP\/1\.1 (400|403) /);
    expect(old + missing).not.toContain('"ok":true');
    refused += 2;
  });
  it.each([
    ['Host', (port: number) => `Host: 127.0.0.1:${port}\r\nHost: evil.example`],
    ['Origin', (port: number) => `Host: 127.0.0.1:${port}\r\nOrigin: ${APP_ORIGIN}\r\nOrigin: https://evil.example`],
  ])('refuses a repeated %s header (Node keeps only the first)', async (_name, lines) => {
    const head = `GET /health HTTP/1.1\r\n${lines(f.port)}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`;
    const response = await rawSocketRequest(f.port, head);
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    expect(response).not.toContain('"ok":true');
    refused++;
  });
  it('refuses a foreign Origin even with a valid token', async () => {
    const headers = { ...jsonHeaders(), origin: 'https://evil.example' };
    const res = await rawRequest(f.port, { method: 'POST', path: '/tools/list_files', headers, body: readBody });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expectRefused(res, 403, 'FORBIDDEN_ORIGIN');
  });
  it('refuses Origin: null (sandboxed iframes, file: pages)', async () => {
    const headers = { ...jsonHeaders(), origin: 'null' };
    expectRefused(
      await rawRequest(f.port, { method: 'POST', path: '/tools/list_files', headers, body: readBody }),
      403,
      'FORBIDDEN_ORIGIN',
    );
  });
  it('refuses a CORS preflight from a foreign origin, without CORS headers', async () => {
    const res = await rawRequest(f.port, {
      method: 'OPTIONS',
      path: '/tools/run_command',
      headers: {
        host: `127.0.0.1:${f.port}`,
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expectRefused(res, 403, 'FORBIDDEN_ORIGIN');
  });
  it('answers a preflight from the app origin with that origin, never *', async () => {
    const res = await rawRequest(f.port, {
      method: 'OPTIONS',
      path: '/tools/run_command',
      headers: { host: `127.0.0.1:${f.port}`, origin: APP_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
  });
  it('refuses a WebSocket upgrade from a foreign origin, even with the token', async () => {
    const head =
      `GET /ws/run_command?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\nOrigin: https://evil.example\r\n` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const response = await rawSocketRequest(f.port, head);
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    refused++;
  });
  it('refuses a WebSocket upgrade from the app origin without a token', async () => {
    const head =
      `GET /ws/run_command HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\nOrigin: ${APP_ORIGIN}\r\n` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    expect(await rawSocketRequest(f.port, head)).toMatch(/^HTTP\/1\.1 403 /);
    refused++;
  });
  it('accepts a WebSocket upgrade from the app origin with the token subprotocol (control)', async () => {
    const head =
      `GET /ws/run_command HTTP/1.1\r\nHost: 127.0.0.1:${f.port}\r\nOrigin: ${APP_ORIGIN}\r\n` +
      `Sec-WebSocket-Protocol: boocode-token.${TOKEN}\r\n` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const response = await new Promise<string>((resolve) => {
      let got = '';
      import('node:net').then(({ connect }) => {
        const s = connect(f.port, '127.0.0.1', () => s.write(head));
        s.on('data', (d) => {
          got += d.toString();
          if (got.includes('\r\n\r\n')) {
            s.destroy();
            resolve(got);
          }
        });
      });
    });
    expect(response).toMatch(/^HTTP\/1\.1 101 /);
  });
  it('refuses a cross-site text/plain POST (no preflight in browsers)', async () => {
    const res = await rawRequest(f.port, {
      method: 'POST',
      path: '/tools/run_command',
      headers: { host: `127.0.0.1:${f.port}`, origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: JSON.stringify({ input: { command: 'touch', args: [join(f.outside, 'pwned')] }, approved: true }),
    });
    expectRefused(res, 403);
    expect(await fileText(join(f.outside, 'pwned'))).toBeUndefined();
  });
  it('refuses a text/plain body with 415 even with token and app origin', async () => {
    const res = await rawRequest(f.port, {
      method: 'POST',
      path: '/tools/run_command',
      headers: { ...f.headers, 'content-type': 'text/plain' },
      body: JSON.stringify({ input: { command: 'touch', args: ['pwned'] }, approved: true }),
    });
    expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await fileText(join(f.workspace, 'pwned'))).toBeUndefined();
  });
  it('refuses a form-encoded POST with 415', async () => {
    const res = await rawRequest(f.port, {
      method: 'POST',
      path: '/tools/list_files',
      headers: { ...f.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'input=1',
    });
    expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
  it('is not listening on a non-loopback address of this machine', async (ctx) => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
    if (!address) {
      ctx.skip(true, 'this machine has no non-loopback IPv4 address to try');
      return;
    }
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const r = httpRequest({ host: address, port: f.port, path: '/health', headers: f.headers, timeout: 3000 }, () =>
        resolve(undefined),
      );
      r.on('error', (e) => resolve(e));
      r.on('timeout', () => r.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      r.end();
    });
    expect(error?.code).toMatch(/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH/);
    refused++;
  });
});

describe('the path guard', () => {
  const readCases: Array<[string, string]> = [
    ['a ../ path', '../ws-outside/secret.txt'],
    ['a deeper ../ path that comes back in', 'src/../../ws-outside/secret.txt'],
    ['an absolute path outside', '/etc/passwd'],
    ['an absolute sibling path sharing the root as a string prefix', '<outside>/secret.txt'],
    ['a symlinked file pointing outside', 'secret-link.txt'],
    ['a path through a symlinked directory pointing outside', 'link-out/secret.txt'],
    ['URL-encoded traversal', '..%2fws-outside%2fsecret.txt'],
    ['URL-encoded dots', '%2e%2e/ws-outside/secret.txt'],
    ['double-encoded traversal', '%252e%252e/ws-outside/secret.txt'],
    ['a NUL byte', 'src/a.txt\u0000../../etc/passwd'],
  ];
  it.each(readCases)('read_file refuses %s', async (_name, path) => {
    const res = await f.post('/tools/read_file', { input: { path: path.replace('<outside>', f.outside) } });
    expectRefused(res, 403, 'PATH_OUTSIDE_WORKSPACE');
    expect(res.json().message).toMatch(/outside the workspace/);
  });

  it('write_file refuses ../ and creates nothing outside', async () => {
    const res = await f.post('/tools/write_file', {
      input: { path: '../ws-outside/new/x.txt', content: 'x' },
      approved: true,
    });
    expectRefused(res, 403, 'PATH_OUTSIDE_WORKSPACE');
    await expect(lstat(join(f.outside, 'new'))).rejects.toThrow();
  });
  it('write_file refuses a new file under a symlinked directory pointing outside', async () => {
    const res = await f.post('/tools/write_file', {
      input: { path: 'link-out/deep/x.txt', content: 'x' },
      approved: true,
    });
    expectRefused(res, 403, 'PATH_OUTSIDE_WORKSPACE');
    await expect(lstat(join(f.outside, 'deep'))).rejects.toThrow();
  });
  it('write_file refuses to overwrite through a symlink pointing outside', async () => {
    const res = await f.post('/tools/write_file', {
      input: { path: 'secret-link.txt', content: 'owned' },
      approved: true,
    });
    expectRefused(res, 403, 'PATH_OUTSIDE_WORKSPACE');
    expect(await fileText(join(f.outside, 'secret.txt'))).toBe('outside secret\n');
  });
  it('write_file refuses a dangling symlink that would create a file outside', async () => {
    await symlink(join(f.outside, 'created-by-link.txt'), join(f.workspace, 'dangling.txt'));
    const res = await f.post('/tools/write_file', { input: { path: 'dangling.txt', content: 'x' }, approved: true });
    expectRefused(res, 403, 'PATH_OUTSIDE_WORKSPACE');
    expect(await fileText(join(f.outside, 'created-by-link.txt'))).toBeUndefined();
  });
  it('edit_file refuses a path outside', async () => {
    const input = { path: '../ws-outside/secret.txt', oldText: 'outside', newText: 'inside' };
    expectRefused(await f.post('/tools/edit_file', { input, approved: true }), 403, 'PATH_OUTSIDE_WORKSPACE');
    expect(await fileText(join(f.outside, 'secret.txt'))).toBe('outside secret\n');
  });
  it('list_files and grep refuse a directory outside', async () => {
    expectRefused(
      await f.post('/tools/list_files', { input: { path: '../ws-outside' } }),
      403,
      'PATH_OUTSIDE_WORKSPACE',
    );
    expectRefused(
      await f.post('/tools/grep', { input: { pattern: 'secret', path: f.outside } }),
      403,
      'PATH_OUTSIDE_WORKSPACE',
    );
  });
  it('grep over the workspace does not read through a symlink pointing outside', async () => {
    const res = await f.post('/tools/grep', { input: { pattern: 'outside secret' } });
    expect(res.status).toBe(200);
    expect(res.json().matches).toEqual([]);
    refused++;
  });
  it('run_command refuses a cwd outside the workspace and does not run', async () => {
    for (const cwd of ['..', f.outside, 'link-out']) {
      const input = { command: 'touch', args: ['ran-here'], cwd };
      expectRefused(await f.post('/tools/run_command', { input, approved: true }), 403, 'PATH_OUTSIDE_WORKSPACE');
    }
    expect(await fileText(join(f.outside, 'ran-here'))).toBeUndefined();
    expect(await fileText(join(f.base, 'ran-here'))).toBeUndefined();
  });
});

// The attack fixture's workspace is not a git repository: no worktree can exist, and nothing may be created.
describe('worktrees', () => {
  it('refuses worktree ids that climb out or are not session ids, before touching a path or git', async () => {
    for (const id of ['../ws-outside', 'ses_../../x', 'ses_a/b', '--help', 'ses_']) {
      expectRefused(await f.post('/worktrees', { id }), 400, 'INVALID_REQUEST');
      const input = { path: 'pwned.txt', content: 'x' };
      expectRefused(await f.post('/tools/write_file', { input, worktree: id, approved: true }), 400, 'INVALID_REQUEST');
    }
    expectRefused(await f.get('/worktrees/..%2F..%2Fws-outside/diff'), 400, 'INVALID_REQUEST');
    expectRefused(await f.post('/worktrees/ses_x%2F..%2F..%2Fdata/merge', {}), 400, 'INVALID_REQUEST');
    expectRefused(await f.delete('/worktrees/%2E%2E'), 400, 'INVALID_REQUEST');
    expect(await fileText(join(f.base, 'pwned.txt'))).toBeUndefined();
  });
  it('refuses a base that git would read as an option', async () => {
    for (const base of ['--output=/tmp/pwned', '-h', 'HEAD..main'])
      expectRefused(await f.post('/worktrees', { id: 'ses_opt', base }), 400, 'INVALID_REQUEST');
  });
  it('refuses tools pinned to an unknown worktree (here: a workspace that is not a git repository) and runs nothing', async () => {
    const write = { input: { path: 'pinned.txt', content: 'x' }, worktree: 'ses_unknown', approved: true };
    expectRefused(await f.post('/tools/write_file', write), 404, 'WORKTREE_NOT_FOUND');
    const run = { input: { command: 'touch', args: ['ran-pinned'] }, worktree: 'ses_unknown', approved: true };
    expectRefused(await f.post('/tools/run_command', run), 404, 'WORKTREE_NOT_FOUND');
    expectRefused(await f.post('/tools/read_file', { input: { path: 'x' }, worktree: 'ses_unknown' }), 404);
    expect(await fileText(join(f.workspace, 'pinned.txt'))).toBeUndefined();
    expect(await fileText(join(f.workspace, 'ran-pinned'))).toBeUndefined();
  });
  it('refuses to create, merge or discard a worktree in a workspace that is not a git repository', async () => {
    expectRefused(await f.post('/worktrees', { id: 'ses_plain' }), 422, 'NOT_A_GIT_REPO');
    expectRefused(await f.post('/worktrees/ses_plain/merge', {}), 404, 'WORKTREE_NOT_FOUND');
    expectRefused(await f.delete('/worktrees/ses_plain'), 404, 'WORKTREE_NOT_FOUND');
    expect(await lstat(join(f.dataDir, 'worktrees')).catch(() => undefined)).toBeUndefined();
  });
  it('keeps the worktree routes behind the token', async () => {
    const { authorization: _a, ...headers } = jsonHeaders();
    const body = JSON.stringify({ id: 'ses_notoken' });
    expectRefused(await rawRequest(f.port, { method: 'POST', path: '/worktrees', headers, body }), 403, 'UNAUTHORIZED');
    expectRefused(await rawRequest(f.port, { method: 'GET', path: '/worktrees', headers }), 403, 'UNAUTHORIZED');
  });
});

describe('provider keys', () => {
  const put = (apiKey: string) =>
    rawRequest(f.port, {
      method: 'PUT',
      path: '/providers/deepseek/key',
      headers: jsonHeaders(),
      body: JSON.stringify({ apiKey }),
    });
  const hasKey = async () =>
    (await f.get('/providers')).json().providers.find((p: { id: string }) => p.id === 'deepseek')?.hasKey;
  const del = (headers: Record<string, string>) =>
    rawRequest(f.port, {
      method: 'DELETE',
      path: '/providers/deepseek/key',
      headers: { ...headers, 'content-length': '2' },
      body: '{}',
    });

  it('refuses to remove a stored key without the token, from a foreign Origin or Host, or as text/plain', async () => {
    expect((await put('sk-attack-kept')).status).toBe(204);
    const { authorization: _a, ...noToken } = jsonHeaders();
    expectRefused(await del(noToken), 403, 'UNAUTHORIZED');
    expectRefused(await del({ ...jsonHeaders(), authorization: `Bearer ${TOKEN}x` }), 403, 'UNAUTHORIZED');
    expectRefused(await del({ ...jsonHeaders(), origin: 'https://evil.example' }), 403, 'FORBIDDEN_ORIGIN');
    expectRefused(await del({ ...jsonHeaders(), host: `evil.example:${f.port}` }), 403, 'FORBIDDEN_HOST');
    expectRefused(await del({ ...jsonHeaders(), 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await hasKey()).toBe(true);
    expect(await readFile(join(f.dataDir, 'provider-keys.json'), 'utf8')).toContain('sk-attack-kept');
    // Positive control: the user's tab removes it.
    const ok = await del(jsonHeaders());
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ id: 'deepseek', removed: true });
    expect(await readFile(join(f.dataDir, 'provider-keys.json'), 'utf8')).not.toContain('sk-attack-kept');
  });
});
