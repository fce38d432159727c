// Where the embedded database's unix socket goes: a crash's leftover socket is cleared, a live one
// (another server on the same data folder) is refused, and a data folder too deep for a socket path
// falls back to a private folder of the temp dir.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseInUseError, prepareEmbeddedSocket } from '../src/persistence/embedded-socket.ts';

describe.skipIf(process.platform === 'win32')('the embedded database socket', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'boocode-socket-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('clears a socket file left by a process that was killed', async () => {
    const dataDir = join(scratch, 'crashed');
    const path = join(dataDir, 'run', '.s.PGSQL.5432');
    await mkdir(join(dataDir, 'run'), { recursive: true });
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
    ]);
    await once(child.stdout, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect((await stat(path)).isSocket()).toBe(true);
    const socket = await prepareEmbeddedSocket(dataDir);
    expect(socket.path).toBe(path);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a data folder whose database socket answers', async () => {
    const dataDir = join(scratch, 'live');
    const path = join(dataDir, 'run', '.s.PGSQL.5432');
    await mkdir(join(dataDir, 'run'), { recursive: true });
    const live = createServer((conn) => conn.destroy());
    await new Promise<void>((resolve) => live.listen(path, resolve));
    try {
      await expect(prepareEmbeddedSocket(dataDir)).rejects.toThrow(DatabaseInUseError);
    } finally {
      live.close();
    }
  });

  it('puts the socket in a private temp folder when the data folder is too deep for one', async () => {
    const dataDir = join(scratch, 'd'.repeat(120));
    const socket = await prepareEmbeddedSocket(dataDir);
    try {
      expect(socket.host.startsWith(tmpdir())).toBe(true);
      expect(Buffer.byteLength(socket.path)).toBeLessThanOrEqual(107);
      expect((await stat(socket.host)).mode & 0o777).toBe(0o700);
    } finally {
      await socket.cleanup();
    }
    await expect(stat(socket.host)).rejects.toThrow(/ENOENT/);
  });
});
