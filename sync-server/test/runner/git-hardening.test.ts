// The hardened git environment (sync-server/src/runner/git-hardening.ts), key by key, against the git on this
// machine: each row plants one config key that runs a program, triggers it with the git command that runs it,
// and checks the program ran WITHOUT the hardening (so the row is a real attack here) and did not run WITH it,
// in both the runner's mode and the mode of an allowed git command.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type GitHardeningMode,
  hardenedGitEnv,
  isProgramKey,
  namedOverrides,
  parseConfigList,
} from '../../src/runner/git-hardening.ts';
import { git, gitAvailable, initRepo } from './git-repo.ts';
import { fileText } from './runner-fixture.ts';

const HAS_GIT = gitAvailable();
let base: string;
let repo: string;
let mark: string;
let payload: string;
/** For transports (ssh, ext::), which would wait on a program that echoes its input. */
let quitter: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'boocode-git-hardening-'));
  repo = join(base, 'repo');
  await mkdir(repo);
  mark = join(base, 'pwned');
  payload = join(base, 'payload.sh');
  await writeFile(payload, `#!/bin/sh\ntouch '${mark}'\ncat\n`);
  await chmod(payload, 0o755);
  quitter = join(base, 'quitter.sh');
  await writeFile(quitter, `#!/bin/sh\ntouch '${mark}'\nexit 1\n`);
  await chmod(quitter, 0o755);
  if (HAS_GIT) await initRepo(repo, { 'a.txt': 'one\n' });
});
afterEach(() => rm(base, { recursive: true, force: true }));

interface Row {
  name: string;
  /** Plants the attack in `repo` (config keys, attributes, a second branch). */
  plant: () => Promise<void> | void;
  /** The git arguments that would run it. */
  trigger: string[];
  input?: string;
}

const config = (...pairs: string[]) => {
  for (let i = 0; i < pairs.length; i += 2) git(repo, 'config', '--add', pairs[i]!, pairs[i + 1]!);
};
const attributes = (line: string) => writeFile(join(repo, '.git/info/attributes'), `${line}\n`);
const touchWorktree = () => writeFile(join(repo, 'a.txt'), 'two\n');

const rows: Row[] = [
  { name: 'core.fsmonitor on status', plant: () => config('core.fsmonitor', payload), trigger: ['status'] },
  {
    name: 'filter clean on add',
    plant: async () => {
      config('filter.x.clean', payload);
      await attributes('* filter=x');
      await touchWorktree();
    },
    trigger: ['add', 'a.txt'],
  },
  {
    name: 'filter process on add',
    plant: async () => {
      config('filter.x.process', payload, 'filter.x.required', 'true');
      await attributes('* filter=x');
      await touchWorktree();
    },
    trigger: ['add', 'a.txt'],
  },
  {
    name: 'filter smudge on checkout',
    plant: async () => {
      config('filter.x.smudge', payload);
      await attributes('* filter=x');
      await rm(join(repo, 'a.txt'));
    },
    trigger: ['checkout', '--', 'a.txt'],
  },
  {
    name: 'a filter whose name has dots and an equals sign',
    plant: async () => {
      config('filter.we.ird=name.smudge', payload);
      await attributes('* filter=we.ird=name');
      await rm(join(repo, 'a.txt'));
    },
    trigger: ['checkout', '--', 'a.txt'],
  },
  {
    name: 'diff.external on diff',
    plant: async () => {
      config('diff.external', payload);
      await touchWorktree();
    },
    trigger: ['diff'],
  },
  {
    name: 'diff driver command on diff',
    plant: async () => {
      config('diff.x.command', payload);
      await attributes('* diff=x');
      await touchWorktree();
    },
    trigger: ['diff'],
  },
  {
    name: 'diff driver textconv on diff',
    plant: async () => {
      config('diff.x.textconv', payload);
      await attributes('* diff=x');
      await touchWorktree();
    },
    trigger: ['diff'],
  },
  {
    name: 'merge driver on merge',
    plant: async () => {
      config('merge.x.driver', payload);
      await attributes('* merge=x');
      git(repo, 'checkout', '--quiet', '-b', 'other');
      await writeFile(join(repo, 'a.txt'), 'theirs\n');
      git(repo, 'commit', '--quiet', '-am', 'theirs');
      git(repo, 'checkout', '--quiet', 'main');
      await writeFile(join(repo, 'a.txt'), 'ours\n');
      git(repo, 'commit', '--quiet', '-am', 'ours');
    },
    trigger: ['merge', '--no-edit', 'other'],
  },
  {
    name: 'core.hooksPath on commit',
    plant: async () => {
      const hooks = join(base, 'hooks');
      await mkdir(hooks);
      await writeFile(join(hooks, 'pre-commit'), `#!/bin/sh\nexec ${payload} </dev/null\n`, { mode: 0o755 });
      config('core.hooksPath', hooks);
    },
    trigger: ['commit', '--allow-empty', '-m', 'x'],
  },
  {
    name: 'a hook in .git/hooks on commit',
    plant: () =>
      writeFile(join(repo, '.git/hooks/pre-commit'), `#!/bin/sh\nexec ${payload} </dev/null\n`, { mode: 0o755 }),
    trigger: ['commit', '--allow-empty', '-m', 'x'],
  },
  { name: 'core.editor on commit', plant: () => config('core.editor', payload), trigger: ['commit', '--allow-empty'] },
  {
    name: 'sequence.editor on rebase -i',
    plant: () => config('sequence.editor', payload),
    trigger: ['rebase', '-i', '--root'],
  },
  {
    name: 'gpg.program on a signed commit',
    plant: () => config('gpg.program', payload, 'commit.gpgSign', 'true'),
    trigger: ['commit', '--allow-empty', '-m', 'x'],
  },
  {
    name: 'core.sshCommand on ls-remote',
    plant: () => config('core.sshCommand', quitter),
    trigger: ['ls-remote', 'ssh://git@127.0.0.1:1/x.git'],
  },
  {
    name: 'a URL-specific credential helper',
    plant: () => config('credential.https://example.com.helper', payload),
    trigger: ['credential', 'fill'],
    input: 'protocol=https\nhost=example.com\n\n',
  },
  { name: 'a shell alias', plant: () => config('alias.st', `!${payload}`), trigger: ['st'] },
  {
    name: 'an alias carrying -c',
    plant: () => config('alias.st', `-c core.fsmonitor=${payload} status`),
    trigger: ['st'],
  },
  {
    name: 'interactive.diffFilter on add -p',
    plant: async () => {
      config('interactive.diffFilter', payload);
      await touchWorktree();
    },
    // The filter only sees a coloured diff, and git 2.39's builtin add -p skipped it here; the script version
    // runs it. Both `-c` are harmless and pass.
    trigger: ['-c', 'color.ui=always', '-c', 'add.interactive.useBuiltin=false', 'add', '-p'],
    input: 'q\n',
  },
  {
    name: 'a trailer command',
    plant: () => config('trailer.x.command', payload, 'trailer.x.ifMissing', 'add'),
    trigger: ['interpret-trailers', '--trailer', 'x=y'],
    input: 'subject\n',
  },
  {
    name: 'an include of a file the agent could write',
    plant: async () => {
      await writeFile(join(repo, 'shared.gitconfig'), `[core]\n\tfsmonitor = ${payload}\n`);
      config('include.path', '../shared.gitconfig');
    },
    trigger: ['status'],
  },
  {
    name: 'an ext:: remote',
    plant: () => config('remote.o.url', `ext::${quitter}`, 'protocol.ext.allow', 'always'),
    trigger: ['ls-remote', 'o'],
  },
];

function runGit(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  return spawnSync('git', args, { cwd: repo, env, input: input ?? '', timeout: 20_000, encoding: 'utf8' });
}

describe.skipIf(!HAS_GIT)('hardened git environment, key by key', () => {
  it.each(rows)('$name: runs without the hardening, not with it', async (row) => {
    await row.plant();
    const plain = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
    // Planted twice over (the first run may change the repository), so each run starts from the same state.
    const snapshot = join(base, 'snapshot');
    execFileSync('cp', ['-a', repo, snapshot]);
    runGit(row.trigger, plain, row.input);
    expect(await fileText(mark), `the attack did not run here without hardening: ${row.name}`).toBeDefined();
    for (const mode of ['runner', 'user'] as GitHardeningMode[]) {
      await rm(mark, { force: true });
      await rm(repo, { recursive: true, force: true });
      execFileSync('cp', ['-a', snapshot, repo]);
      const env = await hardenedGitEnv({ mode, cwd: repo, env: plain });
      runGit(row.trigger, env, row.input);
      expect(await fileText(mark), `${row.name} ran in ${mode} mode`).toBeUndefined();
    }
  });
});

describe('the hardening rules', () => {
  it('reads `git config --show-scope -z --list`, keys without a value included', () => {
    expect(parseConfigList('local\0core.bare\nfalse\0local\0x.flag\0command\0a.b.c\nv=1\n2\0')).toEqual([
      { scope: 'local', key: 'core.bare', value: 'false' },
      { scope: 'local', key: 'x.flag', value: undefined },
      { scope: 'command', key: 'a.b.c', value: 'v=1\n2' },
    ]);
  });

  it('switches off each named driver key it finds, and refuses keys git reads first-wins', () => {
    const entry = (key: string, value = 'x') => ({ scope: 'local', key, value });
    expect(namedOverrides([entry('filter.My.Driver.smudge'), entry('alias.st'), entry('user.name')])).toEqual([
      ['filter.My.Driver.smudge', ''],
      ['alias.st', ''],
    ]);
    expect(namedOverrides([entry('remote.o.uploadpack', 'git-upload-pack')])).toEqual([]);
    expect(() => namedOverrides([entry('remote.o.uploadpack', '/tmp/x')])).toThrow(/remote\.o\.uploadpack/);
    const many = Array.from({ length: 2001 }, (_, i) => entry(`alias.a${i}`));
    expect(() => namedOverrides(many)).toThrow(/more than 2000/);
  });

  it('knows the keys a -c must not set, in any case', () => {
    for (const key of [
      'core.fsmonitor',
      'Core.FsMonitor',
      'core.hooksPath',
      'filter.x.smudge',
      'alias.x',
      'include.path',
      'includeIf.gitdir:/x.path',
      'credential.https://x.helper',
      'uploadpack.packObjectsHook',
      'protocol.allow',
      'safe.bareRepository',
    ])
      expect(isProgramKey(key), key).toBe(true);
    for (const key of ['user.name', 'color.ui', 'core.autocrlf', 'filter.x.description'])
      expect(isProgramKey(key), key).toBe(false);
  });
});

describe.skipIf(!HAS_GIT)('an allowed git command and the user own config', () => {
  it("keeps the user's name and email from their global config unless the repository sets its own, and nothing else", async () => {
    const { hardenGitInvocation } = await import('../../src/runner/harden-git-invocation.ts');
    const home = join(base, 'home');
    await mkdir(home);
    await writeFile(
      join(home, '.gitconfig'),
      `[user]\n\tname = Global Person\n\temail = global@example.invalid\n[core]\n\tfsmonitor = ${payload}\n[alias]\n\tst = status\n`,
    );
    git(repo, 'config', '--unset', 'user.name');
    git(repo, 'config', '--unset', 'user.email');
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    const commit = async () => {
      const hardened = await hardenGitInvocation({
        command: 'git',
        args: ['commit', '--allow-empty', '-m', 'agent'],
        shell: false,
        cwd: repo,
        env,
      });
      expect(runGit(['commit', '--allow-empty', '-m', 'agent'], hardened).status).toBe(0);
      return git(repo, 'log', '-1', '--format=%an <%ae>');
    };
    expect(await commit()).toBe('Global Person <global@example.invalid>');
    git(repo, 'config', 'user.email', 'repo@example.invalid');
    expect(await commit()).toBe('Global Person <repo@example.invalid>');
    const status = await hardenGitInvocation({ command: 'git', args: ['st'], shell: false, cwd: repo, env });
    expect(runGit(['st'], status).status).not.toBe(0); // the global alias is not carried over
    runGit(['status'], status);
    expect(await fileText(mark)).toBeUndefined(); // nor the global fsmonitor
  });
});
