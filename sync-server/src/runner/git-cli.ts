// Runs the git CLI for the runner's own bookkeeping (worktrees, diffs, merges): execFile, never a shell;
// a timeout; an environment without the caller's GIT_* overrides (a stray GIT_DIR or GIT_INDEX_FILE would
// point every command at another repository or index), no prompts, and messages in English to quote.
import { execFile } from 'node:child_process';
import { RunnerError } from './runner-error.ts';

export interface GitOptions {
  cwd: string;
  /** Extra environment, e.g. GIT_INDEX_FILE for a temporary index. */
  env?: Record<string, string>;
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
/**
 * Config that would make git run programs on the runner's behalf is switched off: hooks (worktree add runs
 * post-checkout) and the fsmonitor, which a repository's config can point at any command.
 */
const HARDENING = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'];
const MAX_GIT_OUTPUT = 256 * 1024 * 1024;

function gitEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return { ...env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', ...extra };
}

export function runGit(args: string[], options: GitOptions): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...HARDENING, ...args],
      {
        cwd: options.cwd,
        env: gitEnv(options.env),
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
