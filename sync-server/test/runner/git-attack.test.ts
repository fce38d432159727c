// Attacks that turn a file write into code execution through git (issue 15.3): a repository's config and
// attributes name programs git runs (core.fsmonitor on `git status`, a filter on checkout and add, hooks,
// core.sshCommand, aliases, an external diff). Each case plants one as an agent could, with the user's approval
// of the write where one is needed (the worst case), then makes the runner's own git or an allowed `git …`
// command meet it, and checks that the program never ran. Writes into .git/ must ask even under "always allow".
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApprovalRule } from '@boocode/shared/runner/approval-policy';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, gitAvailable, initRepo } from './git-repo.ts';
import { fileText, type RunnerFixture, startRunner } from './runner-fixture.ts';

const HAS_GIT = gitAvailable();
let f: RunnerFixture;
let refused = 0;

/** What a user who clicked "Always allow" a few times has: writes and a few git commands run without asking. */
const RULES: ApprovalRule[] = [
  { effect: 'allow', tool: 'write_file' },
  { effect: 'allow', tool: 'edit_file' },
  { effect: 'allow', tool: 'run_command', command: 'git status' },
  { effect: 'allow', tool: 'run_command', command: 'git diff' },
  { effect: 'allow', tool: 'run_command', command: 'git st' },
  { effect: 'allow', tool: 'run_command', command: 'git commit *' },
  { effect: 'allow', tool: 'run_command', command: 'git ls-remote *' },
  { effect: 'allow', tool: 'run_command', command: 'git -c *' },
  { effect: 'allow', tool: 'run_command', command: 'timeout *' },
];

beforeEach(async () => {
  f = await startRunner();
  if (!HAS_GIT) return;
  await initRepo(f.workspace, { 'a.txt': 'one\n' });
  const put = await fetch(`${f.url}/approval/rules`, {
    method: 'PUT',
    headers: { ...f.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ rules: RULES }),
  });
  expect(put.status).toBe(200);
});
afterEach(() => f.close());
afterAll(() => console.log(`git attack suite: ${refused} attack cases refused (any that was not fails its test)`));

/** A program an attacker would plant: leaves a mark outside the workspace, passes stdin through (a filter). */
async function payload(name: string): Promise<{ command: string; ran: () => Promise<boolean> }> {
  const mark = join(f.outside, `pwned-${name}`);
  const command = join(f.outside, `payload-${name}.sh`);
  await writeFile(command, `#!/bin/sh\ntouch '${mark}'\ncat\n`);
  await chmod(command, 0o755);
  return { command, ran: async () => (await fileText(mark)) !== undefined };
}

/** Appends to the repository's .git/config through write_file, as the agent would, approved by the user. */
async function plantConfig(text: string): Promise<void> {
  const current = await readFile(join(f.workspace, '.git/config'), 'utf8');
  const res = await f.post('/tools/write_file', {
    input: { path: '.git/config', content: `${current}${text}` },
    approved: true,
  });
  expect(res.status, res.text).toBe(200);
}

const run = (command: string, args: string[], extra: Record<string, unknown> = {}) =>
  f.post('/tools/run_command', { input: { command, args, ...extra } });

function expectRan(res: { status: number; text: string }) {
  expect(res.status, res.text).toBe(200);
}

describe.skipIf(!HAS_GIT)('writes into git control paths ask, even with "always allow"', () => {
  it.each([
    ['.git/config'],
    ['.git/info/attributes'],
    ['.git/hooks/post-checkout'],
    ['.GIT/config'],
    ['src/../.git/config'],
    ['.git./config'],
    ['.boocode/hooks.json'],
  ])('write_file %s without the user approval is refused with why', async (path) => {
    const before = await fileText(join(f.workspace, '.git/config'));
    const res = await f.post('/tools/write_file', { input: { path, content: '[core]\n\tfsmonitor = x\n' } });
    expect(res.status).toBe(403);
    expect(res.json().code).toBe('APPROVAL_REQUIRED');
    expect(res.json().message).toMatch(/always asks, whatever the allow rules say/);
    expect(res.json().details.decision.danger).toBe(path.includes('boocode') ? 'hooks' : 'git');
    expect(await fileText(join(f.workspace, '.git/config'))).toBe(before);
    refused++;
  });

  it('edit_file of .git/config and a command naming .git/ under an allow rule ask too', async () => {
    const edit = await f.post('/tools/edit_file', {
      input: { path: '.git/config', oldText: '[core]', newText: '[core]\n\tfsmonitor = x' },
    });
    expect(edit.json().code).toBe('APPROVAL_REQUIRED');
    const copy = await run('timeout', ['5', 'cp', 'a.txt', '.git/config']);
    expect(copy.json().code).toBe('APPROVAL_REQUIRED');
    const config = await run('git', ['-c', 'x.y=1', 'config', 'core.fsmonitor', 'x']);
    expect(config.json().code).toBe('APPROVAL_REQUIRED');
    expect(await readFile(join(f.workspace, '.git/config'), 'utf8')).not.toContain('fsmonitor');
    refused += 3;
  });

  it('refuses, even approved, a write whose innocent name leads into .git/ through a symbolic link', async () => {
    const { symlink } = await import('node:fs/promises');
    await symlink('.git/config', join(f.workspace, 'notes.txt'));
    const res = await f.post('/tools/write_file', { input: { path: 'notes.txt', content: 'x' }, approved: true });
    expect(res.status).toBe(403);
    expect(res.json().code).toBe('CONTROL_PATH_VIA_LINK');
    expect(await readFile(join(f.workspace, '.git/config'), 'utf8')).toContain('[core]');
    refused++;
  });

  it('positive controls: an ordinary write runs under the allow rule, and .git/config with the user approval', async () => {
    expect((await f.post('/tools/write_file', { input: { path: 'b.txt', content: 'b\n' } })).status).toBe(200);
    await plantConfig('[x]\n\ty = 1\n');
    expect(git(f.workspace, 'config', 'x.y')).toBe('1');
  });
});

describe.skipIf(!HAS_GIT)("the runner's git and allowed git commands run none of the repository's programs", () => {
  it('core.fsmonitor planted by write_file does not run on an allowed `git status`', async () => {
    const p = await payload('fsmonitor');
    await plantConfig(`[core]\n\tfsmonitor = ${p.command}\n`);
    expectRan(await run('git', ['status']));
    expectRan(await run('timeout', ['5', 'git', 'status']));
    expect(await p.ran()).toBe(false);
    refused++;
  });

  it('a smudge filter named in .git/info/attributes does not run when the runner creates a worktree', async () => {
    const p = await payload('smudge');
    await plantConfig(`[filter "evil"]\n\tsmudge = ${p.command}\n\tclean = ${p.command}\n\trequired = true\n`);
    const attrs = await f.post('/tools/write_file', {
      input: { path: '.git/info/attributes', content: '* filter=evil\n' },
      approved: true,
    });
    expect(attrs.status).toBe(200);
    const created = await f.post('/worktrees', { id: 'ses_smudge' });
    expect(created.status, created.text).toBe(201);
    expect((await f.get('/worktrees/ses_smudge/diff')).status).toBe(200);
    expect(await p.ran()).toBe(false);
    refused++;
  });

  it('a clean filter named by a .gitattributes the agent wrote (no approval needed) runs neither in the runner nor in `git diff`', async () => {
    // The filter is the user's own repository config (as git-lfs or git-crypt would set); the agent only names it.
    const p = await payload('attributes');
    git(f.workspace, 'config', 'filter.lfs.clean', p.command);
    git(f.workspace, 'config', 'filter.lfs.process', p.command);
    const written = await f.post('/tools/write_file', { input: { path: '.gitattributes', content: '* filter=lfs\n' } });
    expect(written.status).toBe(200);
    await writeFile(join(f.workspace, 'a.txt'), 'two\n');
    expectRan(await run('git', ['diff']));
    expectRan(await run('git', ['status']));
    expect((await f.post('/worktrees', { id: 'ses_attrs' })).status).toBe(201);
    const worktreeFile = await f.post('/tools/write_file', {
      input: { path: '.gitattributes', content: '* filter=lfs\n' },
      worktree: 'ses_attrs',
    });
    expect(worktreeFile.status).toBe(200);
    expect((await f.get('/worktrees/ses_attrs/diff')).status).toBe(200);
    expect(await p.ran()).toBe(false);
    refused++;
  });

  it('core.hooksPath does not run hooks for an allowed `git commit` nor for worktree creation', async () => {
    const p = await payload('hooks');
    const hooks = join(f.outside, 'hooks');
    await mkdir(hooks);
    for (const hook of ['pre-commit', 'post-commit', 'post-checkout', 'reference-transaction'])
      await writeFile(join(hooks, hook), `#!/bin/sh\nexec ${p.command} </dev/null\n`, { mode: 0o755 });
    await plantConfig(`[core]\n\thooksPath = ${hooks}\n`);
    expectRan(await run('git', ['commit', '--allow-empty', '-m', 'agent commit']));
    expect(git(f.workspace, 'log', '-1', '--format=%s')).toBe('agent commit');
    expect((await f.post('/worktrees', { id: 'ses_hooks' })).status).toBe(201);
    expect(await p.ran()).toBe(false);
    refused++;
  });

  it('core.sshCommand does not run on an allowed `git ls-remote` over ssh', async () => {
    const p = await payload('ssh');
    await plantConfig(`[core]\n\tsshCommand = ${p.command}\n`);
    const res = await run('git', ['ls-remote', 'ssh://git@127.0.0.1:1/repo.git'], { timeoutMs: 20_000 });
    expect(res.status).toBe(200);
    expect(res.json().exitCode).not.toBe(0); // plain ssh to a closed port
    expect(await p.ran()).toBe(false);
    refused++;
  });

  it('an alias and an external diff from the repository config do not run', async () => {
    const p = await payload('alias');
    await plantConfig(`[alias]\n\tst = !${p.command}\n[diff]\n\texternal = ${p.command}\n`);
    await writeFile(join(f.workspace, 'a.txt'), 'three\n');
    const st = await run('git', ['st']);
    expect(st.json().stderr).toMatch(/empty alias|not a git command/);
    const diff = await run('git', ['diff']);
    expect(diff.status).toBe(200);
    expect(await p.ran()).toBe(false);
    refused++;
  });

  it('refuses `git -c <key that runs a program>` and transport options that name one, before anything runs', async () => {
    const p = await payload('dash-c');
    for (const args of [
      ['-c', `core.fsmonitor=${p.command}`, 'status'],
      ['-c', `Core.FSMonitor=${p.command}`, 'status'],
      ['-c', `alias.x=-c core.fsmonitor=${p.command} status`, 'x'],
      ['-c', `include.path=${join(f.outside, 'x.cfg')}`, 'status'],
      ['-c', `credential.https://example.com.helper=${p.command}`, 'status'],
      ['-c', 'x.y=1', '--exec-path=/tmp', 'status'],
    ]) {
      const res = await run('git', args);
      expect(res.status, args.join(' ')).toBe(403);
      expect(res.json().code).toBe('GIT_UNSAFE');
      refused++;
    }
    for (const [program, args] of [
      ['timeout', ['5', 'env', '-i', 'git', 'status']],
      ['timeout', ['5', 'env', 'GIT_CONFIG_COUNT=0', 'git', 'status']],
      ['timeout', ['5', 'env', '-u', 'GIT_CONFIG_GLOBAL', 'git', 'status']],
      ['timeout', ['5', 'sudo', 'git', 'status']],
    ] as const) {
      const res = await run(program, [...args]);
      expect(res.json().code, args.join(' ')).toBe('GIT_UNSAFE');
      refused++;
    }
    expectRan(await run('git', ['-c', 'color.ui=never', 'status'])); // a harmless -c still runs
    const uploadPack = await run('git', ['ls-remote', `--upload-pack=${p.command}`, '.']);
    expect(uploadPack.json().code).toBe('GIT_UNSAFE');
    refused++;
    expect(await p.ran()).toBe(false);
  });

  it('refuses to run git at all where the config names an upload-pack program no override can switch off', async () => {
    const p = await payload('uploadpack');
    await plantConfig(`[remote "o"]\n\turl = .\n\tuploadpack = ${p.command}\n`);
    const res = await run('git', ['ls-remote', 'o']);
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ code: 'GIT_UNSAFE' });
    expect(res.json().message).toMatch(/remote\.o\.uploadpack/);
    expect(await p.ran()).toBe(false);
    refused++;
  });
});

describe.skipIf(!HAS_GIT)('a worktree whose .git file the child points at a repository it made', () => {
  it('refuses diff and merge there in words, runs none of that repository programs, and can still discard', async () => {
    const p = await payload('redirect');
    expect((await f.post('/worktrees', { id: 'ses_redirect' })).status).toBe(201);
    const pinned = (input: unknown) => ({ input, worktree: 'ses_redirect', approved: true });
    const init = await f.post('/tools/run_command', pinned({ command: 'git', args: ['init', '-q', 'evil'] }));
    expect(init.json().exitCode).toBe(0);
    const root = (await f.post('/tools/run_command', pinned({ command: 'pwd' }))).json().stdout.trim() as string;
    const evil = [
      ['evil/.git/config', `[core]\n\tfsmonitor = ${p.command}\n[filter "e"]\n\tclean = ${p.command}\n`],
      ['evil/.git/info/attributes', '* filter=e\n'],
      ['.git', `gitdir: ${join(root, 'evil/.git')}\n`],
    ];
    for (const [path, content] of evil)
      expect((await f.post('/tools/write_file', pinned({ path, content }))).status).toBe(200);
    const diff = await f.get('/worktrees/ses_redirect/diff');
    expect(diff.status).toBe(409);
    expect(diff.json().message).toMatch(/\.git file of the worktree "ses_redirect" was changed/);
    expect((await f.post('/worktrees/ses_redirect/merge', {})).status).toBe(409);
    expect(await fileText(join(f.workspace, 'a.txt'))).toBe('one\n');
    expect((await f.delete('/worktrees/ses_redirect')).status).toBe(200);
    expect(await p.ran()).toBe(false);
    refused += 2;
  });

  it("pins the runner's git calls to the recorded repository: a rewritten .git file is never read", async () => {
    const { runGit } = await import('../../src/runner/git-cli.ts');
    const { gitDirOfLink } = await import('../../src/runner/worktrees.ts');
    const dir = join(f.base, 'wt-pinned');
    git(f.workspace, 'worktree', 'add', '--quiet', dir);
    const link = await readFile(join(dir, '.git'), 'utf8');
    git(dir, 'init', '--quiet', 'evil');
    await writeFile(join(dir, '.git'), `gitdir: ${join(dir, 'evil/.git')}\n`);
    const env = { GIT_DIR: gitDirOfLink(link, dir), GIT_WORK_TREE: dir };
    const gitDir = (await runGit(['rev-parse', '--absolute-git-dir'], { cwd: dir, env })).stdout.toString().trim();
    expect(gitDir).toBe(gitDirOfLink(link, dir));
    // Without the pin, git in that folder would have used the child's repository.
    expect(git(dir, 'rev-parse', '--absolute-git-dir')).toBe(join(dir, 'evil/.git'));
    refused++;
  });
});
