// Attacks on the embedded database from elsewhere on the machine (issue 15.2): a port to connect
// to without a password, files other users can read, a connection held to take the database away
// from the server. Linux only: the listening sockets are read from /proc.
import { execFile } from 'node:child_process';
import { chmod, lstat, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { embeddedBackend, type StorageTarget } from '@boocode/testkit/databases/storage-backends';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { connectClient, randomDocName, waitFor, waitSynced } from './support/clients.ts';
import { type ListeningSockets, listeningSockets } from './support/process-sockets.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Every file and folder under `dir` (itself included) with its permission bits. */
async function modesUnder(dir: string): Promise<{ path: string; mode: number }[]> {
  const out = [{ path: dir, mode: (await lstat(dir)).mode & 0o777 }];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    out.push({ path, mode: (await lstat(path)).mode & 0o777 });
  }
  return out;
}

function openToOthers(entries: { path: string; mode: number }[]): string[] {
  return entries.filter((e) => (e.mode & 0o077) !== 0).map((e) => `${e.path} ${e.mode.toString(8)}`);
}

/** Tries to open a postgres connection as an outsider would; the client when it got in, else the refusal. */
async function tryConnect(config: pg.ClientConfig): Promise<pg.Client | string> {
  const client = new pg.Client({ user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000, ...config });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    return (err as Error).message;
  }
}

describe.skipIf(process.platform !== 'linux')('the embedded database against local attackers', () => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let server: SyncServer;
  let before: ListeningSockets;
  let after: ListeningSockets;
  let dataDir: string;

  beforeAll(async () => {
    target = await embeddedBackend.create();
    // A data folder as an older version or a plain `mkdir` left it: open to every local user.
    await chmod(target.dataDir, 0o755);
    dataDir = await realpath(target.dataDir);
    before = await listeningSockets();
    server = await startServer(target);
    after = await listeningSockets();
  });
  afterAll(async () => {
    await server?.close();
    await target?.cleanup();
  });

  const newTcpPorts = () => after.tcp.filter((p) => !before.tcp.includes(p) && p !== server.port);
  const newUnixSockets = () => after.unix.filter((p) => !before.unix.includes(p));

  it('listens on no TCP port but its HTTP one', () => {
    expect(after.tcp).toContain(server.port);
    expect(newTcpPorts()).toEqual([]);
  });

  it('serves the database on one unix socket inside the data folder', () => {
    const sockets = newUnixSockets();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.startsWith(`${dataDir}/`)).toBe(true);
  });

  it('keeps the data folder 0700 and nothing under it readable by group or others', async () => {
    const entries = await modesUnder(dataDir);
    expect(entries.length).toBeGreaterThan(100); // PGlite's files are really there
    console.log(`[embedded-db-attack] ${entries.length} files and folders checked under the data folder`);
    expect(entries[0]?.mode).toBe(0o700);
    expect(openToOthers(entries)).toEqual([]);
  });

  it.skipIf(!isRoot)('refuses another local user at the database socket', async () => {
    const [socket] = newUnixSockets();
    expect(socket).toBeDefined();
    const probe = `const s=require('net').connect(process.argv[1]);
      s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});
      s.on('error',(e)=>{console.log(e.code);process.exit(0)});`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', probe, socket ?? ''], {
      uid: NOBODY,
      gid: NOBODY,
    });
    expect(stdout.trim()).toBe('EACCES');
  });

  it('a local client that tries to hold the database cannot take it from the server', async () => {
    const held: pg.Client[] = [];
    const refusals: string[] = [];
    // Any TCP port the server opened beside HTTP: connect until in (the old server's pool let go after 10 s idle).
    for (const port of newTcpPorts()) {
      await waitFor(async () => {
        const got = await tryConnect({ host: '127.0.0.1', port });
        if (typeof got === 'string') return false;
        held.push(got);
        return true;
      }, `a connection held on 127.0.0.1:${port}`);
    }
    // The database socket, as the same user: the server keeps its one connection, so this is refused.
    for (const path of newUnixSockets()) {
      const got = await tryConnect({ host: path.slice(0, path.lastIndexOf('/')), port: Number(path.split('.').pop()) });
      if (typeof got === 'string') refusals.push(got);
      else held.push(got);
    }
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      const name = randomDocName('held');
      const a = connectClient(server.url, name, { token: TEST_TOKEN, stored: true });
      const b = connectClient(server.url, name, { token: TEST_TOKEN });
      try {
        await Promise.all([waitSynced(a), waitSynced(b)]);
        a.doc.getText('t').insert(0, 'still syncing');
        await waitFor(() => b.doc.getText('t').toString() === 'still syncing', 'relayed to the second client');
        await server.flush();
        const rows = await server.pool.query('SELECT count(*)::int AS n FROM doc_updates WHERE doc = $1', [name]);
        expect(rows.rows[0].n).toBeGreaterThan(0);
      } finally {
        a.destroy();
        b.destroy();
      }
      expect(held).toHaveLength(0);
      expect(refusals.length).toBe(newUnixSockets().length);
      console.log(
        `[embedded-db-attack] ${newTcpPorts().length} TCP ports beside HTTP; same-user socket refused: ${refusals}`,
      );
    } finally {
      await Promise.all(held.map((c) => c.end().catch(() => {})));
    }
  });

  it('leaves every file it wrote private after closing', async () => {
    await server.close();
    expect(openToOthers(await modesUnder(dataDir))).toEqual([]);
  });
});
