// Runs the git CLI for the runner's own bookkeeping (worktrees, diffs, merges): execFile, never a shell;
// a timeout; the hardened environment of git-hardening.ts (no system or global config, no caller GIT_*
// variables, every config key that would run a program switched off), no prompts, and messages in English.
import { execFile } from 'node:child_process';
import { commandEnvironment } from './command-env.ts';
import { hardenedGitEnv } from './git-hardening.ts';
import { RunnerError } from './runner-error.ts';

/** The only variables a caller may add: a temporary index, and the repository a worktree's calls are pinned to. */
export interface GitExtraEnv {
  GIT_INDEX_FILE?: string;
  GIT_DIR?: string;
  GIT_WORK_TREE?: string;
}

export interface GitOptions {
  cwd: string;
  env?: GitExtraEnv;
  timeoutMs?: number;
  /** Resolve with the exit code instead of throwing when git exits non-zero. */
  allowFailure?: boolean;
}

export interface GitOutput {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

export const GIT_TIMEOUT_MS = 120_000;
const MAX_GIT_OUTPUT = 256 * 1024 * 1024;

function gitEnv(extra: GitExtraEnv | undefined, cwd: string): Promise<NodeJS.ProcessEnv> {
  const fixed: Record<string, string> = { GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
  for (const [k, v] of Object.entries(extra ?? {})) if (v !== undefined) fixed[k] = v;
  // The allow-list commands get, not process.env: git's environ is readable by any process of the user.
  return hardenedGitEnv({ mode: 'runner', cwd, env: commandEnvironment(process.env), extra: fixed });
}

export async function runGit(args: string[], options: GitOptions): Promise<GitOutput> {
  const env = await gitEnv(options.env, options.cwd);
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env,
        timeout: options.timeoutMs ?? GIT_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_GIT_OUTPUT,
        encoding: 'buffer',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        const errText = stderr.toString('utf8').trim();
        if (!error) return resolve({ exitCode: 0, stdout, stderr: errText });
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        if (e.code === 'ENOENT')
          return reject(new RunnerError('GIT_FAILED', 'git is not installed or not on the PATH of the runner.', 500));
        if (e.killed)
          return reject(
            new RunnerError(
              'GIT_FAILED',
              `git ${args[0]} took longer than ${options.timeoutMs ?? GIT_TIMEOUT_MS} ms and was stopped.`,
              500,
            ),
          );
        const exitCode = typeof e.code === 'number' ? e.code : 1;
        if (options.allowFailure) return resolve({ exitCode, stdout, stderr: errText });
        reject(new RunnerError('GIT_FAILED', `git ${args[0]} failed: ${errText || `exit code ${exitCode}`}`, 500));
      },
    );
  });
}

/** stdout as trimmed text, for commands that print one value. */
export async function gitText(args: string[], options: GitOptions): Promise<string> {
  return (await runGit(args, options)).stdout.toString('utf8').trim();
}
