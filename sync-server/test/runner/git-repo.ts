// Test helper: a real git repository in a temp workspace, with an identity configured (CI machines have none)
// and one commit, so worktrees have something to branch from.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function gitAvailable(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).trim();
}

/** `git init` with user.name/email set locally, the given files committed as the first commit. */
export async function initRepo(dir: string, files: Record<string, string>): Promise<string> {
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'config', 'user.name', 'BooCode Test');
  git(dir, 'config', 'user.email', 'test@boocode.invalid');
  git(dir, 'config', 'commit.gpgsign', 'false');
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'initial');
  return git(dir, 'rev-parse', 'HEAD');
}
