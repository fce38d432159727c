// A `git …` the user allowed through run_command (directly, behind a wrapper such as `timeout 5 git`, or in a
// shell line) runs with the same hardened config as the runner's own git (git-hardening.ts): `git status` in a
// repository whose config sets core.fsmonitor does not run it. Command-line settings that would name a program
// (`git -c core.fsmonitor=… status`, which beats the environment's overrides) and options that run one
// (`--exec-path=…`, `fetch --upload-pack=…`) are refused before anything starts.
import { execFile } from 'node:child_process';
import {
  commandCandidates,
  type ParsedCommand,
  parseCommand,
  programBaseName,
} from '@boocode/shared/runner/command-line';
import { configKeyOf, type GitInvocation, parseGitInvocation } from '@boocode/shared/runner/git-invocation';
import {
  assertGitIsRecent,
  baseGitEnv,
  type GitConfigEntry,
  isProgramKey,
  namedOverrides,
  parseConfigList,
  probeGitConfig,
  withOverrides,
} from './git-hardening.ts';
import { RunnerError } from './runner-error.ts';

export interface CommandToHarden {
  command: string;
  args: readonly string[];
  shell: boolean;
  /** The resolved working directory the command will start in. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const GIT = new Set(['git']);
/** Options that choose the repository: the config probe must look where git will. */
const LOCATION = new Set(['-C', '--git-dir', '--work-tree', '--bare']);
/** Options of transport commands whose value is a program git runs (git-fetch(1), git-push(1), …). */
const PROGRAM_OPTIONS = /^(--upload-pack|--receive-pack|--exec)(=|$)/;
const TRANSPORTS = new Set(['fetch', 'pull', 'clone', 'ls-remote', 'push', 'archive', 'fetch-pack', 'send-pack']);
/** Carried over from the user's own global config when the repository sets none: commits need an author. */
const CARRIED = /^(user\.(name|email)|core\.excludesfile)$/;

function refuse(why: string): never {
  throw new RunnerError('GIT_UNSAFE', `The runner will not run this git command: ${why}.`, 403);
}

function checkInvocation(git: GitInvocation): void {
  for (const option of git.options) {
    if ((option.name === '-c' || option.name === '--config-env') && isProgramKey(configKeyOf(option)))
      refuse(
        `${option.name} ${configKeyOf(option)} sets a program for git to run (or more config to read), which the runner switches off for every git it starts`,
      );
    if (option.name === '--exec-path' && option.value !== undefined)
      refuse('--exec-path=… makes git run its sub-programs from another folder');
  }
  if (git.unknown.length) refuse(`${git.unknown.join(' ')} is not a git option the runner knows`);
  if (!git.subcommand || !TRANSPORTS.has(git.subcommand)) return;
  const program = git.args.find(
    (a) => PROGRAM_OPTIONS.test(a) || (a === '-u' && (git.subcommand === 'clone' || git.subcommand === 'ls-remote')),
  );
  if (program) refuse(`${git.subcommand} ${program} names a program for git to run`);
}

/** Programs that start what follows with another environment: sudo and doas reset it, env -i empties it. */
const ENV_CHANGERS = new Set(['env', 'sudo', 'doas']);
/** A word naming one of git's variables: `GIT_DIR=x`, `-u GIT_CONFIG_COUNT`, `--unset=GIT_X`, `unset GIT_X`. */
const NAMES_GIT_VARIABLE = /(^|=)['"]?GIT_[A-Za-z0-9_]+(['"]?=|['"]?$)/;

/** The hardening lives in the environment: a command that changes git's environment would undo it. */
function checkEnvironment(parsed: ParsedCommand): void {
  const named = [parsed.program, ...parsed.args, ...parsed.segments.flat()].find((w) => NAMES_GIT_VARIABLE.test(w));
  if (named) refuse(`${named} sets or clears one of git's environment variables, which hold the runner's safe config`);
  for (const [program = '', ...args] of commandCandidates(parsed, ENV_CHANGERS)) {
    const name = programBaseName(program);
    const clears = args.some((a) => a === '-' || a === '--ignore-environment' || /^-[a-zA-Z]*i[a-zA-Z]*$/.test(a));
    if (name !== 'env' || clears)
      refuse(`${name} would start git with another environment, without the runner's safe config`);
  }
}

function locationOf(git: GitInvocation): string[] {
  return git.options.flatMap((o) => {
    if (!LOCATION.has(o.name)) return [];
    if (o.name === '--bare') return ['--bare'];
    return o.name === '-C' ? ['-C', o.value ?? ''] : [`${o.name}=${o.value ?? ''}`];
  });
}

/** user.name / user.email (and the global ignore file) from the user's own config, unless the repository sets them. */
async function carriedOver(
  entries: readonly GitConfigEntry[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Array<[string, string]>> {
  const own = new Set(entries.filter((e) => e.scope !== 'command').map((e) => e.key));
  const { GIT_CONFIG_GLOBAL: _global, ...withHome } = env;
  const text = await probeGlobal(cwd, withHome);
  return parseConfigList(text)
    .filter((e) => CARRIED.test(e.key) && !own.has(e.key) && e.value !== undefined)
    .map((e) => [e.key, e.value!]);
}

function probeGlobal(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['config', '--global', '--includes', '--show-scope', '-z', '--get-regexp', CARRIED.source],
      { cwd, env, timeout: 30_000 },
      // Exit 1 means none is set; nothing carried over is never a reason to refuse.
      (error, stdout) => resolve(error ? '' : stdout),
    );
  });
}

/**
 * The environment to run this command with: `env` itself when it starts no git, otherwise `env` without GIT_*
 * variables, without system and global config, and with every program-running key of the repository (or of
 * each repository a `-C`/`--git-dir` names) switched off. Throws GIT_UNSAFE, before anything runs, for
 * command-line settings and options that would run a program.
 */
export async function hardenGitInvocation(command: CommandToHarden): Promise<NodeJS.ProcessEnv> {
  const parsed = parseCommand({ command: command.command, args: command.args, shell: command.shell });
  const calls = commandCandidates(parsed, GIT).map(([, ...args]) => parseGitInvocation(args));
  if (calls.length === 0) return command.env;
  checkEnvironment(parsed);
  for (const call of calls) checkInvocation(call);
  await assertGitIsRecent();
  const env = baseGitEnv(command.env, 'user');
  const locations = new Map(calls.map((c) => [JSON.stringify(locationOf(c)), locationOf(c)]));
  const overrides: Array<[string, string]> = [];
  let entries: GitConfigEntry[] = [];
  for (const location of locations.values()) {
    const found = await probeGitConfig({ cwd: command.cwd, env, location });
    overrides.push(...namedOverrides(found));
    entries = entries.concat(found);
  }
  return withOverrides(env, [...(await carriedOver(entries, command.cwd, env)), ...overrides]);
}
