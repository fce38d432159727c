// Worktree routes against a real git repository in a temp dir: a worktree per child on its own branch, outside
// the workspace; tools pinned to it write there only; diff, merge (all or nothing) and discard; a workspace that
// is not a git repository is refused in words.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, gitAvailable, initRepo } from './git-repo.ts';
import { fileText, type RunnerFixture, startRunner } from './runner-fixture.ts';

const HAS_GIT = gitAvailable();
const README = 'line one\nline two\nline three\n';

let f: RunnerFixture;
let head: string;
beforeEach(async () => {
  f = await startRunner();
  head = HAS_GIT ? await initRepo(f.workspace, { 'README.md': README, 'notes.txt': 'notes\n' }) : '';
});
afterEach(() => f.close());

const create = (id: string) => f.post('/worktrees', { id });
const tool = (name: string, input: unknown, worktree?: string) =>
  f.post(`/tools/${name}`, worktree ? { input, worktree, approved: true } : { input, approved: true });

describe.skipIf(!HAS_GIT)('worktrees', () => {
  it('creates a worktree on boocode/<id> outside the workspace, and the workspace status stays clean', async () => {
    const res = await create('ses_alpha');
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ id: 'ses_alpha', branch: 'boocode/ses_alpha', baseCommit: head });
    expect(git(f.workspace, 'status', '--porcelain')).toBe('');
    expect(git(f.workspace, 'branch', '--list', 'boocode/*')).toContain('boocode/ses_alpha');
    const listed = await f.get('/worktrees');
    expect(listed.json().worktrees.map((w: { id: string }) => w.id)).toEqual(['ses_alpha']);
    expect(await readdir(f.workspace)).not.toContain('ses_alpha');

    const again = await create('ses_alpha');
    expect(again.status).toBe(409);
    expect(again.json().code).toBe('WORKTREE_EXISTS');
  });

  it('file tools and run_command pinned to a worktree act there and not in the workspace', async () => {
    await create('ses_alpha');
    expect((await tool('write_file', { path: 'new.txt', content: 'child file\n' }, 'ses_alpha')).status).toBe(200);
    const edit = await tool('edit_file', { path: 'README.md', oldText: 'line two', newText: 'line 2' }, 'ses_alpha');
    expect(edit.status).toBe(200);
    const read = await tool('read_file', { path: 'README.md' }, 'ses_alpha');
    expect(read.json().content).toContain('line 2');
    const run = await tool('run_command', { command: 'cat', args: ['new.txt'] }, 'ses_alpha');
    expect(run.json().stdout).toBe('child file\n');
    const pwd = await tool('run_command', { command: 'pwd' }, 'ses_alpha');
    expect(pwd.json().stdout.trim().startsWith(f.dataDir)).toBe(true);

    expect(await fileText(join(f.workspace, 'README.md'))).toBe(README);
    expect(await fileText(join(f.workspace, 'new.txt'))).toBeUndefined();
    expect(git(f.workspace, 'status', '--porcelain')).toBe('');
    // The worktree's own path guard: nothing outside it, not even the workspace.
    const outside = await tool('read_file', { path: join(f.workspace, 'README.md') }, 'ses_alpha');
    expect(outside.json().code).toBe('PATH_OUTSIDE_WORKSPACE');
  });

  it('diffs committed, uncommitted and untracked changes against the base, with per-file stats', async () => {
    await create('ses_alpha');
    const root = (
      await f.post('/tools/run_command', { input: { command: 'pwd' }, worktree: 'ses_alpha', approved: true })
    )
      .json()
      .stdout.trim() as string;
    await writeFile(join(root, 'committed.txt'), 'one\ntwo\n');
    git(root, 'add', 'committed.txt');
    git(root, 'commit', '--quiet', '-m', 'child commit');
    await writeFile(join(root, 'README.md'), 'line one\nline 2\nline three\n');
    await writeFile(join(root, 'untracked.txt'), 'fresh\n');
    await writeFile(join(root, '.gitignore'), 'ignored.log\n');
    await writeFile(join(root, 'ignored.log'), 'noise\n');
    git(root, 'rm', '--quiet', 'notes.txt');

    const diff = (await f.get('/worktrees/ses_alpha/diff')).json();
    expect(diff).toMatchObject({ id: 'ses_alpha', baseCommit: head, truncated: false });
    expect(diff.files).toEqual([
      { path: '.gitignore', status: 'added', added: 1, removed: 0, binary: false },
      { path: 'README.md', status: 'modified', added: 1, removed: 1, binary: false },
      { path: 'committed.txt', status: 'added', added: 2, removed: 0, binary: false },
      { path: 'notes.txt', status: 'deleted', added: 0, removed: 1, binary: false },
      { path: 'untracked.txt', status: 'added', added: 1, removed: 0, binary: false },
    ]);
    expect(diff.stat).toEqual({ files: 5, added: 5, removed: 2 });
    expect(diff.diff).toContain('-line two\n+line 2\n');
    expect(diff.diff).not.toContain('b/ignored.log');
    // Looking changed nothing: the child's index still has only what it staged itself.
    expect(git(root, 'diff', '--cached', '--name-only')).toBe('notes.txt');
  });

  it('merges into the working tree without committing, keeps the user own edits, removes worktree and branch', async () => {
    await create('ses_alpha');
    await tool('edit_file', { path: 'README.md', oldText: 'line three', newText: 'line 3' }, 'ses_alpha');
    await tool('write_file', { path: 'src/new.ts', content: 'export const x = 1;\n' }, 'ses_alpha');
    // The user's own uncommitted edit, elsewhere in the same file.
    await writeFile(join(f.workspace, 'README.md'), 'LINE ONE\nline two\nline three\n');

    const res = await f.post('/worktrees/ses_alpha/merge', {});
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toMatchObject({ merged: true, stat: { files: 2, added: 2, removed: 1 } });
    expect(await fileText(join(f.workspace, 'README.md'))).toBe('LINE ONE\nline two\nline 3\n');
    expect(await fileText(join(f.workspace, 'src/new.ts'))).toBe('export const x = 1;\n');
    expect(git(f.workspace, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(f.workspace, 'diff', '--cached', '--name-only')).toBe('');
    expect(git(f.workspace, 'branch', '--list', 'boocode/*')).toBe('');
    expect(git(f.workspace, 'worktree', 'list')).not.toContain('ses_alpha');
    expect((await f.get('/worktrees')).json().worktrees).toEqual([]);
    expect((await tool('read_file', { path: 'README.md' }, 'ses_alpha')).json().code).toBe('WORKTREE_NOT_FOUND');
  });

  it('refuses a conflicting merge with MERGE_CONFLICT and leaves the workspace and the worktree as they were', async () => {
    await create('ses_alpha');
    await tool('edit_file', { path: 'README.md', oldText: 'line two', newText: 'child two' }, 'ses_alpha');
    await tool('write_file', { path: 'other.txt', content: 'would be new\n' }, 'ses_alpha');
    await writeFile(join(f.workspace, 'README.md'), 'line one\nuser two\nline three\n');

    const res = await f.post('/worktrees/ses_alpha/merge', {});
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ code: 'MERGE_CONFLICT', details: { conflicts: ['README.md'] } });
    expect(res.json().message).toMatch(
      /conflict with the workspace, so nothing was changed.*README\.md \(both changed the same lines\)/,
    );
    expect(await fileText(join(f.workspace, 'README.md'))).toBe('line one\nuser two\nline three\n');
    expect(await fileText(join(f.workspace, 'other.txt'))).toBeUndefined();
    expect(git(f.workspace, 'status', '--porcelain')).toBe('M README.md');
    expect((await f.get('/worktrees/ses_alpha/diff')).json().stat.files).toBe(2);
  });

  it('discards: removes the worktree and deletes its branch, the workspace untouched', async () => {
    await create('ses_alpha');
    await tool('write_file', { path: 'README.md', content: 'rewritten\n' }, 'ses_alpha');
    const res = await f.delete('/worktrees/ses_alpha');
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toEqual({ id: 'ses_alpha', branch: 'boocode/ses_alpha', discarded: true });
    expect(await fileText(join(f.workspace, 'README.md'))).toBe(README);
    expect(git(f.workspace, 'branch', '--list', 'boocode/*')).toBe('');
    expect(git(f.workspace, 'worktree', 'list')).not.toContain('ses_alpha');
    expect((await f.delete('/worktrees/ses_alpha')).json().code).toBe('WORKTREE_NOT_FOUND');
  });

  it('branches from a given base and refuses one that is not a commit', async () => {
    git(f.workspace, 'commit', '--quiet', '--allow-empty', '-m', 'second');
    expect((await f.post('/worktrees', { id: 'ses_old', base: head })).json().baseCommit).toBe(head);
    const bad = await f.post('/worktrees', { id: 'ses_bad', base: 'no-such-branch' });
    expect(bad.json()).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await f.post('/worktrees', { id: 'ses_opt', base: '--upload-pack=x' })).json().code).toBe(
      'INVALID_REQUEST',
    );
  });
});

describe.skipIf(!HAS_GIT)('worktrees, harder cases', () => {
  it('will not run git in a worktree whose .git file the child redirected, and can still discard it', async () => {
    await create('ses_alpha');
    const link = { path: '.git', content: `gitdir: ${join(f.outside)}\n` };
    expect((await tool('write_file', link, 'ses_alpha')).status).toBe(200);
    const diff = await f.get('/worktrees/ses_alpha/diff');
    expect(diff.status).toBe(409);
    expect(diff.json().message).toMatch(/\.git file of the worktree "ses_alpha" was changed/);
    expect((await f.post('/worktrees/ses_alpha/merge', {})).status).toBe(409);
    expect(await fileText(join(f.workspace, 'README.md'))).toBe(README);
    expect((await f.delete('/worktrees/ses_alpha')).status).toBe(200);
    expect(git(f.workspace, 'branch', '--list', 'boocode/*')).toBe('');
  });

  it('confines a workspace that is a subdirectory of its repository to the same subdirectory of the worktree', async () => {
    const repo = join(f.base, 'mono');
    await mkdir(join(repo, 'pkg'), { recursive: true });
    await writeFile(join(repo, 'top.txt'), 'top\n');
    await initRepo(repo, { 'pkg/index.ts': 'export const a = 1;\n' });
    const sub = await startRunner({ workspace: join(repo, 'pkg') });
    try {
      expect((await sub.post('/worktrees', { id: 'ses_sub' })).status).toBe(201);
      const write = {
        input: { path: 'index.ts', content: 'export const a = 2;\n' },
        worktree: 'ses_sub',
        approved: true,
      };
      expect((await sub.post('/tools/write_file', write)).status).toBe(200);
      const topRead = { input: { path: '../top.txt' }, worktree: 'ses_sub' };
      expect((await sub.post('/tools/read_file', topRead)).json().code).toBe('PATH_OUTSIDE_WORKSPACE');
      const diff = (await sub.get('/worktrees/ses_sub/diff')).json();
      expect(diff.files.map((x: { path: string }) => x.path)).toEqual(['pkg/index.ts']);
      expect((await sub.post('/worktrees/ses_sub/merge', {})).status).toBe(200);
      expect(await fileText(join(repo, 'pkg/index.ts'))).toBe('export const a = 2;\n');
      expect(git(repo, 'status', '--porcelain')).toBe('M pkg/index.ts');
    } finally {
      await sub.close();
    }
  });

  it('merges added, deleted and binary files, and refuses a file the workspace created meanwhile', async () => {
    await create('ses_alpha');
    const root = (await tool('run_command', { command: 'pwd' }, 'ses_alpha')).json().stdout.trim() as string;
    await writeFile(join(root, 'image.bin'), Buffer.from([0, 1, 2, 255, 0, 7]));
    git(root, 'rm', '--quiet', 'notes.txt');
    await create('ses_beta');
    await tool('write_file', { path: 'clash.txt', content: 'from the child\n' }, 'ses_beta');
    await writeFile(join(f.workspace, 'clash.txt'), 'from the user\n');

    const merged = await f.post('/worktrees/ses_alpha/merge', {});
    expect(merged.status, merged.text).toBe(200);
    expect(merged.json().files).toEqual([
      { path: 'image.bin', status: 'added', added: 0, removed: 0, binary: true },
      { path: 'notes.txt', status: 'deleted', added: 0, removed: 1, binary: false },
    ]);
    expect([...((await readFile(join(f.workspace, 'image.bin'))) as Buffer)]).toEqual([0, 1, 2, 255, 0, 7]);
    expect(await fileText(join(f.workspace, 'notes.txt'))).toBeUndefined();

    const clash = await f.post('/worktrees/ses_beta/merge', {});
    expect(clash.json()).toMatchObject({ code: 'MERGE_CONFLICT', details: { conflicts: ['clash.txt'] } });
    expect(clash.json().message).toMatch(
      /clash\.txt \(the child created it, and the workspace has a different file there\)/,
    );
    expect(await fileText(join(f.workspace, 'clash.txt'))).toBe('from the user\n');
  });
});

describe.skipIf(!HAS_GIT)('worktrees in a workspace that is not a git repository', () => {
  it('refuses to create one with NOT_A_GIT_REPO in words', async () => {
    const plain = join(f.base, 'plain');
    await mkdir(plain);
    const other = await startRunner({ workspace: plain });
    try {
      const res = await other.post('/worktrees', { id: 'ses_alpha' });
      expect(res.status).toBe(422);
      expect(res.json().code).toBe('NOT_A_GIT_REPO');
      expect(res.json().message).toMatch(/not a git repository.*shared workspace/);
      expect((await other.get('/worktrees')).json()).toEqual({ worktrees: [] });
    } finally {
      await other.close();
    }
  });
});
