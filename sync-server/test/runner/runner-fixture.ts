// Test fixture: a real runner on a random port over a throwaway workspace under os.tmpdir(),
// with a sibling directory outside it (named so a string-prefix check would think it inside),
// and a raw HTTP client that sends headers exactly as given (fetch would normalise them).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunner, type Runner, type RunnerOptions } from '../../src/runner/create-runner.ts';

export const APP_ORIGIN = 'http://127.0.0.1:8787';
export const TOKEN = 'test-token-0123456789abcdef0123456789abcdef';

export interface RunnerFixture {
  runner: Runner;
  port: number;
  url: string;
  base: string;
  workspace: string;
  /** A sibling of the workspace: `<base>/ws-outside`, shares the `ws` prefix on purpose. */
  outside: string;
  dataDir: string;
  home: string;
  /** Standard headers of the user's own tab. */
  headers: { host: string; origin: string; authorization: string };
  post(path: string, body: unknown, extra?: Record<string, string>): Promise<RawResponse>;
  get(path: string, extra?: Record<string, string>): Promise<RawResponse>;
  /** DELETE with a JSON body (the wall wants one on every body method). */
  delete(path: string, body?: unknown): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields freely and assert on them.
  json: () => any;
}

export async function startRunner(options: Partial<RunnerOptions> = {}): Promise<RunnerFixture> {
  const base = await mkdtemp(join(tmpdir(), 'boocode-runner-'));
  const workspace = join(base, 'ws');
  const outside = join(base, 'ws-outside');
  const dataDir = join(base, 'data');
  const home = join(base, 'home');
  await Promise.all([workspace, outside, home].map((dir) => mkdir(dir, { recursive: true })));
  await writeFile(join(outside, 'secret.txt'), 'outside secret\n');
  const runner = await createRunner({ workspace, dataDir, home, port: 0, token: TOKEN, ...options });
  const { port, url } = await runner.listen();
  const headers = { host: `127.0.0.1:${port}`, origin: APP_ORIGIN, authorization: `Bearer ${TOKEN}` };
  return {
    runner,
    port,
    url,
    base,
    workspace,
    outside,
    dataDir,
    home,
    headers,
    post: (path, body, extra = {}) =>
      rawRequest(port, {
        method: 'POST',
        path,
        headers: { ...headers, 'content-type': 'application/json', ...extra },
        body: JSON.stringify(body),
      }),
    get: (path, extra = {}) => rawRequest(port, { method: 'GET', path, headers: { ...headers, ...extra } }),
    delete: (path, body = {}) => {
      const text = JSON.stringify(body);
      // Node sends a DELETE body without chunked encoding, so it needs an explicit length.
      const length = String(Buffer.byteLength(text));
      return rawRequest(port, {
        method: 'DELETE',
        path,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': length },
        body: text,
      });
    },
    async close() {
      await runner.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** Sends exactly these headers (no Host added: pass it, or leave it out on purpose). */
export function rawRequest(
  port: number,
  req: { method: string; path: string; headers: Record<string, string>; body?: string; host?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: req.host ?? '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Writes a raw HTTP request head on a socket and returns the status line and what followed. */
export function rawSocketRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let received = '';
    socket.on('data', (d) => {
      received += d.toString('utf8');
    });
    socket.on('end', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(received);
    });
  });
}

export async function fileText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** Waits for a condition without fixed sleeps: checks it each tick until true or the deadline. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True while the process exists and is not a zombie (PID 1 in a container may not reap). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return true;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}
