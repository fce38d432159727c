// The descriptor walk's rules, one at a time (the race itself is path-race.test.ts): symlinks that stay
// inside are followed by the walk, those that leave are refused wherever they point from; private folders
// are refused and left out of listings; writes replace the file through a temporary file beside it and
// keep its mode.
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editWorkspaceFile, readWorkspaceFile, writeWorkspaceFile } from '../../src/runner/file-tools.ts';
import { grepWorkspace } from '../../src/runner/grep-tool.ts';
import { listWorkspaceFiles } from '../../src/runner/list-files.ts';
import { resolveInsideWorkspace } from '../../src/runner/path-guard.ts';
import { fileText } from './runner-fixture.ts';

let base: string;
let ws: string;
let out: string;
let root: { path: string; privateDirs: string[] };

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'boocode-guard-'));
  ws = join(base, 'ws');
  out = join(base, 'out');
  await mkdir(join(ws, 'src', 'deep'), { recursive: true });
  await mkdir(join(ws, '.boocode-data'), { recursive: true });
  await mkdir(out);
  await writeFile(join(out, 'secret.txt'), 'outside secret\n');
  await writeFile(join(ws, 'src', 'deep', 'real.txt'), 'real text\n');
  await writeFile(join(ws, '.boocode-data', 'token'), 'sync-token\n');
  await symlink('src/deep/real.txt', join(ws, 'rel-link.txt'));
  await symlink(join(ws, 'src', 'deep', 'real.txt'), join(ws, 'abs-link.txt'));
  await symlink('../../rel-link.txt', join(ws, 'src', 'deep', 'chained.txt'));
  await symlink('../../../out/secret.txt', join(ws, 'src', 'deep', 'climbs-out.txt'));
  await symlink('src', join(ws, 'src-link'));
  await symlink('loop-b', join(ws, 'loop-a'));
  await symlink('loop-a', join(ws, 'loop-b'));
  await symlink('.boocode-data', join(ws, 'data-link'));
  root = { path: ws, privateDirs: [join(ws, '.boocode-data')] };
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('symlinks', () => {
  it.each([
    ['a relative link to a file inside', 'rel-link.txt'],
    ['an absolute link to a file inside', 'abs-link.txt'],
    ['a chain of links that stays inside, with ".." in a target', 'src/deep/chained.txt'],
    ['a path through a linked directory', 'src-link/deep/real.txt'],
  ])('reads through %s', async (_name, path) => {
    const read = await readWorkspaceFile(root, { path });
    expect(read).toMatchObject({ content: 'real text\n', path: 'src/deep/real.txt' });
  });
  it('refuses a link whose ".." climbs above the root, naming why', async () => {
    await expect(readWorkspaceFile(root, { path: 'src/deep/climbs-out.txt' })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_WORKSPACE',
      message: expect.stringMatching(/a symlink in it points outside/),
    });
  });
  it('refuses a symlink loop instead of walking it for ever', async () => {
    await expect(readWorkspaceFile(root, { path: 'loop-a' })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_WORKSPACE',
      message: expect.stringMatching(/too many symlinks/),
    });
  });
  it('writes through a link inside to its target, and leaves the link a link', async () => {
    await writeWorkspaceFile(root, { path: 'rel-link.txt', content: 'via link\n' });
    expect(await fileText(join(ws, 'src', 'deep', 'real.txt'))).toBe('via link\n');
    expect((await lstat(join(ws, 'rel-link.txt'))).isSymbolicLink()).toBe(true);
    await writeWorkspaceFile(root, { path: 'src/deep/real.txt', content: 'real text\n' });
  });
  it('creates a new file under a linked directory that stays inside', async () => {
    const written = await writeWorkspaceFile(root, { path: 'src-link/made/new.txt', content: 'x' });
    expect(written).toMatchObject({ path: 'src/made/new.txt', created: true });
    expect(await fileText(join(ws, 'src', 'made', 'new.txt'))).toBe('x');
  });
  it('resolves an absolute path written with the root, and refuses one elsewhere', async () => {
    expect(await resolveInsideWorkspace(root, join(ws, 'src-link'))).toMatchObject({ relative: 'src', exists: true });
    await expect(resolveInsideWorkspace(root, join(out, 'secret.txt'))).rejects.toMatchObject({
      message: expect.stringMatching(/not under the workspace root/),
    });
  });
});

describe('private folders', () => {
  it.each([
    ['the folder itself', '.boocode-data/token'],
    ['a link to it', 'data-link/token'],
  ])('refuses a read through %s', async (_name, path) => {
    await expect(readWorkspaceFile(root, { path })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_WORKSPACE',
      message: expect.stringMatching(/private data folder/),
    });
  });
  it('refuses a write into it and creates nothing there', async () => {
    await expect(writeWorkspaceFile(root, { path: '.boocode-data/planted', content: 'x' })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_WORKSPACE',
    });
    expect(await readdir(join(ws, '.boocode-data'))).toEqual(['token']);
  });
  it('leaves it out of listings and grep', async () => {
    const { entries } = await listWorkspaceFiles(root, {});
    expect(entries.some((e) => e.startsWith('.boocode-data'))).toBe(false);
    expect(entries).toContain('src/deep/real.txt');
    expect((await grepWorkspace(root, { pattern: 'sync-token' })).matches).toEqual([]);
  });
});

describe('writes', () => {
  it('keeps an existing file mode and leaves no temporary file behind', async () => {
    await writeFile(join(ws, 'run.sh'), '#!/bin/sh\n');
    await chmod(join(ws, 'run.sh'), 0o750);
    await editWorkspaceFile(root, { path: 'run.sh', oldText: 'sh', newText: 'bash' });
    expect((await stat(join(ws, 'run.sh'))).mode & 0o777).toBe(0o750);
    expect(await fileText(join(ws, 'run.sh'))).toBe('#!/bin/bash\n');
    expect((await readdir(ws)).filter((name) => name.includes('boocode-write'))).toEqual([]);
  });
  it('says a path goes through a file, for a read and for a write', async () => {
    for (const attempt of [
      readWorkspaceFile(root, { path: 'src/deep/real.txt/x' }),
      writeWorkspaceFile(root, { path: 'src/deep/real.txt/x', content: 'x' }),
    ]) {
      await expect(attempt).rejects.toMatchObject({
        code: 'NOT_A_DIRECTORY',
        message: expect.stringMatching(/goes through "src\/deep\/real.txt", which is not a folder/),
      });
    }
  });
  it('refuses to write over a directory', async () => {
    await expect(writeWorkspaceFile(root, { path: 'src', content: 'x' })).rejects.toMatchObject({ code: 'NOT_A_FILE' });
  });
});
