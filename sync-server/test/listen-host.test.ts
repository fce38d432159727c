// Listening beyond loopback: refused without BOOCODE_ALLOW_REMOTE=1, said in words with it, and the
// runner `npm start` pairs still accepts the app's own loopback origin (with HOST=0.0.0.0 it used
// to be told `http://0.0.0.0:<port>`, which no page ever has).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePairingFragment } from '@boocode/shared/runner/pairing';
import { freshDataDir } from '@boocode/testkit/databases/storage-backends';
import { afterEach, describe, expect, it } from 'vitest';
import { checkListenHost, RemoteListenRefusedError } from '../src/server/listen-host.ts';
import { serverNames } from '../src/server/server-names.ts';
import { waitFor } from './support/clients.ts';
import { rawRequest } from './support/rawHttp.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('the listen address', () => {
  it('takes loopback as it is', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) expect(checkListenHost(host, false)).toBeNull();
  });
  it('refuses any other address without the flag, saying what to do', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'my-laptop.local']) {
      expect(() => checkListenHost(host, false)).toThrow(RemoteListenRefusedError);
    }
    expect(() => checkListenHost('0.0.0.0', false)).toThrow(/BOOCODE_ALLOW_REMOTE=1/);
  });
  it('warns in words with the flag', () => {
    expect(checkListenHost('0.0.0.0', true)).toMatch(/every network interface.*token/s);
    expect(checkListenHost('192.168.1.5', true)).toMatch(/listening on 192\.168\.1\.5/);
  });
});

describe('the server names', () => {
  it('on loopback: the loopback names with the port, nothing else', () => {
    const names = serverNames({ listenHost: '127.0.0.1', port: 8787 });
    expect(names.hosts.sort()).toEqual(['127.0.0.1:8787', '[::1]:8787', 'localhost:8787']);
    expect(names.origins).toContain('http://127.0.0.1:8787');
    expect(names.origins).toContain('http://localhost:8787');
    expect(names.url).toBe('http://127.0.0.1:8787');
  });
  it('on every interface: each interface address too, and a loopback URL to open', () => {
    const names = serverNames({ listenHost: '0.0.0.0', port: 8787 });
    const someAddress = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4')?.address;
    expect(names.hosts).toContain(`${someAddress}:8787`);
    expect(names.hosts).not.toContain('0.0.0.0:8787');
    expect(names.url).toBe('http://127.0.0.1:8787');
  });
  it('a configured public name is a Host and an origin (http and https)', () => {
    const names = serverNames({ listenHost: '127.0.0.1', port: 8787, publicHosts: ['BooCode.example.com'] });
    expect(names.hosts).toContain('boocode.example.com');
    expect(names.origins).toEqual(
      expect.arrayContaining(['https://boocode.example.com', 'http://boocode.example.com']),
    );
  });
  it('port 80 is also accepted without the port (browsers leave it out)', () => {
    expect(serverNames({ listenHost: '127.0.0.1', port: 80 }).hosts).toContain('localhost');
  });
});

describe('npm start with HOST=0.0.0.0', () => {
  let child: ChildProcess | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    child = undefined;
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  function start(env: Record<string, string>) {
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, PORT: '0', HOST: '0.0.0.0', BOOCODE_TOKEN: 'sync-token-0123456789', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const out = { stdout: '', stderr: '', code: null as number | null };
    proc.stdout?.on('data', (d) => {
      out.stdout += d;
    });
    proc.stderr?.on('data', (d) => {
      out.stderr += d;
    });
    proc.once('exit', (code) => {
      out.code = code;
    });
    return out;
  }

  it('refuses to start without BOOCODE_ALLOW_REMOTE, in words, exit code 2', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'boocode-remote-'));
    dirs.push(dataDir);
    const out = start({ BOOCODE_DATA_DIR: dataDir, BOOCODE_NO_RUNNER: '1' });
    await waitFor(() => out.code !== null, 'the process exits', 30_000);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('refused to listen on 0.0.0.0');
    expect(out.stderr).toContain('BOOCODE_ALLOW_REMOTE=1');
    expect(out.stdout).not.toContain('BooCode is running');
  });

  it('with BOOCODE_ALLOW_REMOTE=1 it warns, prints a loopback URL, and its runner accepts the app', async () => {
    const dataDir = await freshDataDir();
    const runnerDir = await mkdtemp(join(tmpdir(), 'boocode-remote-runner-'));
    const workspace = await mkdtemp(join(tmpdir(), 'boocode-remote-ws-'));
    dirs.push(dataDir, runnerDir, workspace);
    const out = start({
      BOOCODE_ALLOW_REMOTE: '1',
      BOOCODE_DATA_DIR: dataDir,
      RUNNER_PORT: '0',
      BOOCODE_RUNNER_DATA_DIR: runnerDir,
      BOOCODE_WORKSPACE: workspace,
      BOOCODE_RUNNER_ORIGINS: '',
    });
    await waitFor(() => /http:\/\/\S+#\S+/.test(out.stdout) || out.code !== null, 'the app URL', 30_000);
    expect(out.stderr).toMatch(/Warning: .*every network interface/);
    const printed = /(http:\/\/\S+)#(\S+)/.exec(out.stdout);
    expect(printed, out.stdout + out.stderr).not.toBeNull();
    const appUrl = new URL(printed?.[1] ?? '');
    expect(appUrl.hostname).toBe('127.0.0.1');
    const pairing = parsePairingFragment(`#${printed?.[2]}`);
    expect(pairing).toBeDefined();
    const runner = new URL(pairing?.runnerUrl ?? '');
    // The app as the user opens it (the printed loopback URL) reaches its runner.
    const res = await rawRequest(Number(runner.port), {
      method: 'GET',
      path: '/health',
      headers: { host: runner.host, origin: appUrl.origin, authorization: `Bearer ${pairing?.token}` },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(appUrl.origin);
    // And the server answers its loopback name.
    const health = await rawRequest(Number(appUrl.port), {
      method: 'GET',
      path: '/healthz',
      headers: { host: appUrl.host },
    });
    expect(health.status).toBe(200);
  });
});
