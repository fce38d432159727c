// The configuration every git the runner starts runs with, its own and the user's allowed `git …` alike: no
// system or global config, and every config key that makes git run a program switched off. A repository's
// config is writable by anyone who can write its `.git/` (an approved write, an approved command), and git runs
// programs it names: core.fsmonitor on `git status`, filter drivers on checkout and add, hooks, and more.
//
// How: GIT_CONFIG_NOSYSTEM=1 and GIT_CONFIG_GLOBAL=/dev/null (git(1) ENVIRONMENT), then overrides passed as
// GIT_CONFIG_COUNT/KEY_n/VALUE_n, which git reads after every config file (git-config(1) ENVIRONMENT; a later
// value wins). Keys with a fixed name are always overridden; keys named after a driver, remote, alias or tool
// (`filter.<driver>.smudge`) are found by listing the repository's config first (`git config --list`, which
// runs nothing) and overridden one by one. An empty value is "not set" for these keys: git then runs nothing
// (measured on git 2.39, see sync-server/test/runner/git-attack.test.ts). Environment variables that name
// programs (GIT_SSH_COMMAND, GIT_EXTERNAL_DIFF, GIT_EXEC_PATH, …) are all dropped, and the ones that beat config
// are set to programs that do nothing (GIT_EDITOR=:, GIT_PAGER=cat, GIT_ASKPASS='', GIT_PROXY_COMMAND='').
import { execFile } from 'node:child_process';
import { RunnerError } from './runner-error.ts';

export interface GitConfigEntry {
  /** system, global, local, worktree or command (git config --show-scope). */
  scope: string;
  /** As git prints it: section and variable lower case, subsection as written. */
  key: string;
  value: string | undefined;
}

/**
 * Keys with a fixed name that make git run a program, with values that run nothing, set on every call
 * (git-config(1), git 2.39, entries of the same name):
 * - core.fsmonitor: "the pathname of the fsmonitor hook command" (run by status, diff, add …); empty = off.
 * - core.hooksPath: hooks are programs (post-checkout runs on `worktree add`, reference-transaction on every
 *   ref update); /dev/null holds none. githooks(5).
 * - core.sshCommand: "Git will use this command instead of ssh"; core.askPass: "an external program";
 *   core.editor / sequence.editor / core.pager: "interpreted by the shell".
 * - credential.helper: "an external helper … or, if preceded by !, shell commands"; an empty value resets the
 *   list, URL-specific helpers included (gitcredentials(7)).
 * - gpg.program, gpg.<format>.program: the signing program, back to git's defaults.
 * - protocol.ext.allow: the ext:: transport runs any command as a remote (git-remote-ext(1)).
 * - safe.bareRepository=explicit: a folder the agent filled with HEAD, objects/ and config is not taken for a
 *   repository (it is honoured only from the command line or global config, as here).
 */
const ALWAYS: ReadonlyArray<readonly [string, string]> = [
  ['core.fsmonitor', ''],
  ['core.hooksPath', '/dev/null'],
  ['core.sshCommand', 'ssh'],
  ['core.askPass', ''],
  ['core.editor', ':'],
  ['sequence.editor', ':'],
  ['core.pager', 'cat'],
  ['credential.helper', ''],
  ['gpg.program', 'gpg'],
  ['gpg.openpgp.program', 'gpg'],
  ['gpg.x509.program', 'gpgsm'],
  ['gpg.ssh.program', 'ssh-keygen'],
  ['protocol.ext.allow', 'never'],
  ['safe.bareRepository', 'explicit'],
];

/**
 * For the runner's own bookkeeping only: no transport at all (it never fetches), no submodule recursion, and no
 * attributes file besides the repository's (whose filter and diff drivers are switched off below).
 */
const RUNNER_ONLY: ReadonlyArray<readonly [string, string]> = [
  ['protocol.allow', 'never'],
  ['submodule.recurse', 'false'],
  ['core.attributesFile', '/dev/null'],
];

type Neutral = { set: string } | { refuse: string } | undefined;

/**
 * Keys named after a driver, tool, remote or alias that make git run a program (git-config(1), gitattributes(5)),
 * and what each becomes. `refuse` is for keys git takes the FIRST value of, which no later value overrides.
 */
const NAMED: ReadonlyArray<{ key: RegExp; neutral: (value: string | undefined) => Neutral }> = [
  // filter.<driver>.clean/smudge/process: run on add and on checkout (worktree add) for paths whose attributes
  // name the driver, in .gitattributes, .git/info/attributes or the attributes file. `required` would make a
  // switched-off filter an error.
  { key: /^filter\..+\.(clean|smudge|process)$/, neutral: () => ({ set: '' }) },
  { key: /^filter\..+\.required$/, neutral: () => ({ set: 'false' }) },
  // diff.external, diff.<driver>.command / textconv, interactive.diffFilter: diff and add -p run them.
  { key: /^diff\.external$/, neutral: () => ({ set: '' }) },
  { key: /^diff\..+\.(command|textconv)$/, neutral: () => ({ set: '' }) },
  { key: /^interactive\.difffilter$/, neutral: () => ({ set: '' }) },
  // merge.<driver>.driver: a merge runs it; an empty one fails the merge of that file instead.
  { key: /^merge\..+\.driver$/, neutral: () => ({ set: '' }) },
  { key: /^(difftool|mergetool)\..+\.(cmd|path)$/, neutral: () => ({ set: '' }) },
  { key: /^(browser|man)\..+\.(cmd|path)$/, neutral: () => ({ set: '' }) },
  { key: /^guitool\..+\.cmd$/, neutral: () => ({ set: '' }) },
  { key: /^trailer\..+\.(command|cmd)$/, neutral: () => ({ set: '' }) },
  { key: /^core\.alternaterefscommand$/, neutral: () => ({ set: '' }) },
  { key: /^gpg\.ssh\.defaultkeycommand$/, neutral: () => ({ set: '' }) },
  { key: /^sendemail\.(.+\.)?(tocmd|cccmd|headercmd)$/, neutral: () => ({ set: '' }) },
  { key: /^sendemail\.(.+\.)?smtpserver$/, neutral: (v) => (v?.includes('/') ? { set: 'localhost' } : undefined) },
  // alias.<name>: "!…" is a shell command, and any alias may carry `-c key=value` that beats these overrides.
  // An empty alias makes git stop with "empty alias" instead.
  { key: /^alias\..+$/, neutral: () => ({ set: '' }) },
  { key: /^pager\..+$/, neutral: () => ({ set: 'false' }) },
  // remote.<name>.vcs runs git-remote-<vcs>, a path if it has a slash; empty fails the fetch.
  { key: /^remote\..+\.vcs$/, neutral: () => ({ set: '' }) },
  // submodule.<name>.update = !command runs on `git submodule update`.
  { key: /^submodule\..+\.update$/, neutral: (v) => (v?.startsWith('!') ? { set: 'none' } : undefined) },
  // remote.<name>.uploadpack / receivepack run locally for a local remote; git uses the first value it reads.
  {
    key: /^remote\..+\.(uploadpack|receivepack)$/,
    neutral: (v) =>
      v === 'git-upload-pack' || v === 'git-receive-pack'
        ? undefined
        : { refuse: 'it names a program for git to run for a local remote, and no later setting can switch it off' },
  },
];

/**
 * Besides the keys above, keys a `-c` on the command line must not set: another config file (include), a
 * URL-specific credential helper (after the reset above), the proxy for git:// (core.gitProxy), and
 * uploadpack.packObjectsHook, which git honours from the command line and runs when serving a local fetch.
 */
const COMMAND_LINE_ONLY =
  /^(include\.|includeif\.|credential\..+\.helper$|core\.gitproxy$|uploadpack\.packobjectshook$)/;

/** True for a config key git would run a program for (or read more config for), as a `-c` might pass it. */
export function isProgramKey(key: string): boolean {
  const canonical = canonicalKey(key);
  if (COMMAND_LINE_ONLY.test(canonical)) return true;
  if ([...ALWAYS, ...RUNNER_ONLY].some(([k]) => canonicalKey(k) === canonical)) return true;
  return NAMED.some((n) => n.key.test(canonical));
}

/** Section and variable name are case-insensitive, the subsection is not (git-config(1) Syntax). */
function canonicalKey(key: string): string {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  if (first === -1) return key.toLowerCase();
  if (first === last) return key.toLowerCase();
  return `${key.slice(0, first).toLowerCase()}${key.slice(first, last)}${key.slice(last).toLowerCase()}`;
}

/** More overrides than this means a config written to exhaust the environment, not a real repository. */
const MAX_OVERRIDES = 2000;

/** The overrides that switch off what `entries` name, or a refusal in words. */
export function namedOverrides(entries: readonly GitConfigEntry[]): Array<[string, string]> {
  const out = new Map<string, string>();
  for (const entry of entries) {
    const key = canonicalKey(entry.key);
    for (const rule of NAMED) {
      if (!rule.key.test(key)) continue;
      const neutral = rule.neutral(entry.value);
      if (neutral && 'refuse' in neutral)
        throw new RunnerError(
          'GIT_UNSAFE',
          `The runner will not run git here: the repository's ${entry.scope} config sets ${entry.key}, and ${neutral.refuse}. Remove it (git config --unset-all ${entry.key}) to use git through BooCode.`,
          409,
          { key: entry.key },
        );
      if (neutral) out.set(entry.key, neutral.set);
    }
  }
  if (out.size > MAX_OVERRIDES)
    throw new RunnerError(
      'GIT_UNSAFE',
      `The runner will not run git here: the repository's config names ${out.size} programs to switch off, more than ${MAX_OVERRIDES}.`,
      409,
    );
  return [...out];
}

/** `scope\0key\nvalue\0` (or `scope\0key\0` for a key without a value), as `git config --show-scope -z --list`. */
export function parseConfigList(text: string): GitConfigEntry[] {
  const parts = text.split('\0');
  const entries: GitConfigEntry[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const pair = parts[i + 1]!;
    const nl = pair.indexOf('\n');
    entries.push({
      scope: parts[i]!,
      key: nl === -1 ? pair : pair.slice(0, nl),
      value: nl === -1 ? undefined : pair.slice(nl + 1),
    });
  }
  return entries;
}

export type GitHardeningMode = 'runner' | 'user';

/**
 * The environment before any repository config is read: the caller's, minus every GIT_* variable (GIT_DIR,
 * GIT_SSH_COMMAND, GIT_EXTERNAL_DIFF, GIT_CONFIG_PARAMETERS …), plus the variables that beat config, plus the
 * fixed overrides. `extra` (GIT_INDEX_FILE, GIT_DIR, GIT_WORK_TREE from the runner's own calls) is kept.
 */
export function baseGitEnv(
  env: NodeJS.ProcessEnv,
  mode: GitHardeningMode,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('GIT_')) out[k] = v;
  Object.assign(out, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    GIT_EDITOR: ':',
    GIT_SEQUENCE_EDITOR: ':',
    GIT_PAGER: 'cat',
    GIT_PROXY_COMMAND: '',
    ...extra,
  });
  return withOverrides(out, mode === 'runner' ? [...ALWAYS, ...RUNNER_ONLY] : ALWAYS);
}

/** Appends config overrides after the ones already in `env` (later wins). */
export function withOverrides(env: NodeJS.ProcessEnv, pairs: ReadonlyArray<readonly [string, string]>) {
  const out = { ...env };
  let n = Number(out.GIT_CONFIG_COUNT ?? 0);
  for (const [key, value] of pairs) {
    out[`GIT_CONFIG_KEY_${n}`] = key;
    out[`GIT_CONFIG_VALUE_${n}`] = value;
    n++;
  }
  out.GIT_CONFIG_COUNT = String(n);
  return out;
}

export interface ProbeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Global options that choose the repository (-C, --git-dir, --work-tree, --bare), as git will get them. */
  location?: string[];
  timeoutMs?: number;
}

/** Runs `git <location> <args>` for reading; resolves stdout, or rejects with git's words. */
export function gitRead(args: string[], options: ProbeOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...(options.location ?? []), ...args],
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const e = error as NodeJS.ErrnoException;
        if (e.code === 'ENOENT')
          return reject(new RunnerError('GIT_FAILED', 'git is not installed or not on the PATH of the runner.', 500));
        reject(
          new RunnerError('GIT_FAILED', `Reading the repository's git config failed: ${stderr.trim() || e.message}`),
        );
      },
    );
  });
}

/** Every config entry git would see there (with the fixed overrides already in `env`, under scope command). */
export async function probeGitConfig(options: ProbeOptions): Promise<GitConfigEntry[]> {
  return parseConfigList(await gitRead(['config', '--show-scope', '-z', '--list'], options));
}

let versionCheck: Promise<void> | undefined;
/** GIT_CONFIG_GLOBAL arrived in git 2.32 (GIT_CONFIG_COUNT in 2.31): an older git would ignore both silently. */
export function assertGitIsRecent(): Promise<void> {
  versionCheck ??= gitRead(['version'], { cwd: '/', env: { PATH: process.env.PATH } }).then((text) => {
    const [, major = '0', minor = '0'] = /(\d+)\.(\d+)/.exec(text) ?? [];
    if (Number(major) > 2 || (Number(major) === 2 && Number(minor) >= 32)) return;
    throw new RunnerError(
      'GIT_UNSAFE',
      `The runner needs git 2.32 or newer to switch off the programs a repository's config can name; this machine has ${text.trim()}.`,
      500,
    );
  });
  versionCheck.catch(() => {
    versionCheck = undefined;
  });
  return versionCheck;
}

/**
 * The whole environment for a git call: the base one, then the named keys the repository's config sets,
 * switched off. Throws GIT_UNSAFE when a key cannot be switched off.
 */
export async function hardenedGitEnv(
  options: ProbeOptions & { mode: GitHardeningMode; extra?: Record<string, string> },
): Promise<NodeJS.ProcessEnv> {
  await assertGitIsRecent();
  const env = baseGitEnv(options.env, options.mode, options.extra);
  const entries = await probeGitConfig({ ...options, env });
  return withOverrides(env, namedOverrides(entries));
}
