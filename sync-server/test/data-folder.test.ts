// A data folder the server cannot write is reported as a permission problem, naming the folder
// (issue 15.12), instead of "ENOENT …/token" or "PGlite failed to initialize".
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncServer } from '../src/server/createSyncServer.ts';

const isRoot = process.getuid?.() === 0;

/** Starts a server on `dataDir` with the embedded database and a generated token; returns why it refused. */
async function startupError(dataDir: string): Promise<string> {
  const server = await createSyncServer({ dataDir, port: 0, backfill: false }).catch((err: Error) => err);
  if (!(server instanceof Error)) {
    await server.close();
    return 'started';
  }
  return server.message;
}

const notWritable = (dir: string, code: RegExp) =>
  new RegExp(
    `^The data folder ${dir} is not writable \\((?:${code.source})[^)]*\\): BOOCODE_DATA_DIR must point at a folder this user can write$`,
  );

describe('a data folder the server cannot write', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'boocode-data-folder-'));
  });
  afterAll(async () => {
    await chmod(scratch, 0o700).catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  });

  it('under a regular file: names the folder and says it is not writable', async () => {
    const file = join(scratch, 'a-file');
    await writeFile(file, 'not a folder');
    const dir = join(file, 'data');
    expect(await startupError(dir)).toMatch(notWritable(dir, /ENOTDIR/));
  });

  it.skipIf(process.platform !== 'linux')('on a file system no one may create folders in (/sys)', async () => {
    const dir = `/sys/boocode-test-${process.pid}/data`;
    expect(await startupError(dir)).toMatch(notWritable(dir, /EACCES|EPERM|EROFS/));
  });

  // Root ignores permission bits: this case only means something for an ordinary user.
  it.skipIf(isRoot)('a folder of mode 0500: names the folder and says it is not writable', async () => {
    const dir = join(scratch, 'read-only');
    await mkdir(dir, { mode: 0o500 });
    expect(await startupError(dir)).toMatch(notWritable(dir, /EACCES/));
  });
});
