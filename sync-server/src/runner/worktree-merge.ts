// Brings a worktree's changes into the workspace's working tree as a three-way merge per file: base = the blob
// the child started from, ours = the user's file as it is now (uncommitted edits included), theirs = the
// child's version. Every file's result is computed before the first write, so a conflict anywhere leaves the
// workspace exactly as it was. Nothing is committed or staged: the user reviews and commits the result.
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWorkspaceBytes, removeWorkspaceFile, writeWorkspaceBytes } from './file-tools.ts';
import { type GitOptions, runGit } from './git-cli.ts';
import { RunnerError } from './runner-error.ts';

const NULL_SHA = /^0+$/;

interface RawChange {
  oldMode: string;
  newMode: string;
  oldBlob: string;
  newBlob: string;
  /** Relative to the repository's top level. */
  path: string;
}

/** `path` is relative to the workspace; it is walked again (path-guard.ts) when the step is applied. */
type Planned = { kind: 'write'; path: string; content: Buffer; executable: boolean } | { kind: 'delete'; path: string };

export interface MergeInput {
  /**
   * Where and how to run git for the worktree's objects (they share one object store with the workspace): in the
   * worktree, pinned to its repository so a `.git` file the child rewrote is never read.
   */
  worktreeGit: Pick<GitOptions, 'cwd' | 'env'>;
  workspace: string;
  /** The workspace's path inside its repository ('' at the top level); change paths start with it. */
  prefix: string;
  baseCommit: string;
  tree: string;
  branch: string;
  /** Scratch space for the merge inputs (the runner's private data dir). */
  scratch: string;
}

async function rawChanges(input: MergeInput): Promise<RawChange[]> {
  const out = await runGit(
    ['diff', '--raw', '-z', '--no-abbrev', '--no-renames', input.baseCommit, input.tree, '--', input.prefix || '.'],
    input.worktreeGit,
  );
  const parts = out.stdout.toString('utf8').split('\0');
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [oldMode = '', newMode = '', oldBlob = '', newBlob = ''] = parts[i]!.replace(/^:/, '').split(' ');
    changes.push({ oldMode, newMode, oldBlob, newBlob, path: parts[i + 1]! });
  }
  return changes;
}

async function blob(input: MergeInput, sha: string): Promise<Buffer> {
  return (await runGit(['cat-file', 'blob', sha], input.worktreeGit)).stdout;
}

/** `git merge-file` on three buffers; undefined when they conflict (or cannot be merged as text). */
async function mergeText(input: MergeInput, ours: Buffer, base: Buffer, theirs: Buffer): Promise<Buffer | undefined> {
  const stem = join(input.scratch, `merge-${randomBytes(6).toString('hex')}`);
  const files = [`${stem}.ours`, `${stem}.base`, `${stem}.theirs`];
  try {
    await Promise.all([ours, base, theirs].map((content, i) => writeFile(files[i]!, content, { mode: 0o600 })));
    const merged = await runGit(['merge-file', '-p', '--quiet', ...files], {
      cwd: input.scratch,
      allowFailure: true,
    });
    return merged.exitCode === 0 ? merged.stdout : undefined;
  } finally {
    await Promise.all(files.map((file) => rm(file, { force: true })));
  }
}

/** What one changed file becomes in the workspace, or the reason it conflicts. */
async function planFile(input: MergeInput, change: RawChange): Promise<Planned | { conflict: string }> {
  if (change.oldMode === '120000' || change.newMode === '120000' || change.newMode === '160000')
    return { conflict: 'symlinks and submodules are not merged automatically' };
  const relative = input.prefix ? change.path.slice(input.prefix.length + 1) : change.path;
  // Read and later written through the path guard's walk: a symlink swapped in meanwhile is not followed out.
  const ours = await readWorkspaceBytes(input.workspace, relative);
  const base = NULL_SHA.test(change.oldBlob) ? undefined : await blob(input, change.oldBlob);
  const theirs = NULL_SHA.test(change.newBlob) ? undefined : await blob(input, change.newBlob);
  const same = (a: Buffer | undefined, b: Buffer | undefined) =>
    a === undefined ? b === undefined : !!b && a.equals(b);
  const outcome = (content: Buffer | undefined): Planned =>
    content === undefined
      ? { kind: 'delete', path: relative }
      : { kind: 'write', path: relative, content, executable: change.newMode === '100755' };
  // The user has not touched it since the base (or made the same change): the child's version wins.
  if (same(ours, base) || same(ours, theirs)) return outcome(theirs);
  if (ours === undefined) return { conflict: 'the child changed it, and it was deleted in the workspace' };
  if (base === undefined) return { conflict: 'the child created it, and the workspace has a different file there' };
  if (theirs === undefined) return { conflict: 'the child deleted it, and it was changed in the workspace' };
  const merged = await mergeText(input, ours, base, theirs);
  return merged ? outcome(merged) : { conflict: 'both changed the same lines' };
}

/** Returns the number of files written or deleted; throws MERGE_CONFLICT (workspace untouched) on any conflict. */
export async function mergeIntoWorkspace(input: MergeInput): Promise<number> {
  const planned: Planned[] = [];
  const conflicts: Array<{ path: string; reason: string }> = [];
  for (const change of await rawChanges(input)) {
    const plan = await planFile(input, change);
    if ('conflict' in plan) conflicts.push({ path: change.path, reason: plan.conflict });
    else planned.push(plan);
  }
  if (conflicts.length)
    throw new RunnerError(
      'MERGE_CONFLICT',
      `The changes of ${input.branch} conflict with the workspace, so nothing was changed and the worktree is kept: ${conflicts
        .map((c) => `${c.path} (${c.reason})`)
        .join('; ')}.`,
      409,
      { conflicts: conflicts.map((c) => c.path), reasons: conflicts },
    );
  for (const step of planned) {
    if (step.kind === 'delete') await removeWorkspaceFile(input.workspace, step.path);
    else await writeWorkspaceBytes(input.workspace, step.path, step.content, step.executable);
  }
  return planned.length;
}
