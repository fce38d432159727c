// Git worktrees for coder subagents: one per child session, on the branch `boocode/<id>`, in the runner's data
// dir (never inside the workspace, so the user's `git status` stays clean). The diff is taken from a snapshot of
// the worktree written through a temporary index, so looking never changes the child's branch or index. Merge
// is a per-file three-way merge into the working tree (worktree-merge.ts), all or nothing, never committing on
// the user's behalf; every step that changes a repository runs one at a time.
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, realpath, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import {
  type CreateWorktreeRequest,
  type WorktreeDiff,
  type WorktreeDiscardResult,
  type WorktreeFileChange,
  type WorktreeId,
  type WorktreeInfo,
  type WorktreeMergeResult,
  worktreeBranchOf,
  worktreeIdSchema,
} from '@boocode/shared/runner/worktree';
import { type GitExtraEnv, gitText, runGit } from './git-cli.ts';
import { RunnerError } from './runner-error.ts';
import { mergeIntoWorkspace } from './worktree-merge.ts';

/** Display diffs are cut here; merge applies the full binary patch, never this text. */
export const MAX_DISPLAY_DIFF_CHARS = 512 * 1024;

export interface WorktreeStore {
  create(request: CreateWorktreeRequest): Promise<WorktreeInfo>;
  list(): Promise<WorktreeInfo[]>;
  /** The directory a tool pinned to this worktree is confined to (the workspace's place inside it). */
  rootOf(id: WorktreeId): Promise<string>;
  diff(id: WorktreeId): Promise<WorktreeDiff>;
  merge(id: WorktreeId): Promise<WorktreeMergeResult>;
  discard(id: WorktreeId): Promise<WorktreeDiscardResult>;
}

interface WorktreeMeta extends WorktreeInfo {
  /** The workspace's path inside its repository ('' when the workspace is the top level). */
  prefix: string;
  /**
   * The worktree's `.git` file as git wrote it. The child's tools can write that file; pointed at a repository
   * of its own making, git started there would read that repository's config. So the runner's git calls in a
   * worktree never read it: they name the repository (GIT_DIR, from this copy) and the work tree themselves,
   * and refuse, in words, once the file was changed.
   */
  gitLink: string;
}

/** `gitdir: <path>` of a worktree's `.git` file, absolute (git may write it relative to the worktree). */
export function gitDirOfLink(gitLink: string, worktreeDir: string): string {
  const match = /^gitdir: (.+)$/m.exec(gitLink);
  if (!match) throw new RunnerError('GIT_FAILED', 'git wrote a worktree .git file the runner cannot read.', 500);
  const path = match[1]!.trim();
  return isAbsolute(path) ? path : resolve(worktreeDir, path);
}

interface RepoFacts {
  prefix: string;
}

// Diff flags every command shares: no renames (merge applies plain adds and deletes), and none of the
// repository's external diff drivers or text conversions, which would run programs its config names.
const DIFF_FLAGS = ['--no-renames', '--no-ext-diff', '--no-textconv', '--no-color'];

export function createWorktreeStore(deps: { workspace: string; dataDir: string }): WorktreeStore {
  let folder: string | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  /** One repository-changing step at a time: two spawns or two merges must not interleave. */
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const next = queue.then(step, step);
    queue = next.catch(() => undefined);
    return next;
  };

  /** `<dataDir>/worktrees/<hash of the real workspace path>`: one runner data dir serves many workspaces. */
  async function worktreesFolder(): Promise<string> {
    if (folder) return folder;
    const key = createHash('sha256')
      .update(await realpath(deps.workspace))
      .digest('hex')
      .slice(0, 16);
    folder = join(deps.dataDir, 'worktrees', key);
    return folder;
  }
  const dirOf = async (id: WorktreeId) => join(await worktreesFolder(), id);
  const metaPath = async (id: WorktreeId) => join(await worktreesFolder(), `${id}.json`);

  // Not cached: the user may `git init` while the runner runs.
  async function repoFacts(): Promise<RepoFacts> {
    const probe = await runGit(['rev-parse', '--show-toplevel', '--show-prefix'], {
      cwd: deps.workspace,
      allowFailure: true,
    });
    if (probe.exitCode !== 0)
      throw new RunnerError(
        'NOT_A_GIT_REPO',
        'The workspace is not a git repository, so a subagent cannot get a worktree of its own; it works in the shared workspace. Run `git init` and commit once to use worktrees.',
        422,
      );
    const [, prefix = ''] = probe.stdout.toString('utf8').split('\n');
    const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
      cwd: deps.workspace,
      allowFailure: true,
    });
    if (head.exitCode !== 0)
      throw new RunnerError(
        'NOT_A_GIT_REPO',
        'The workspace git repository has no commits yet, so a worktree has nothing to branch from; the subagent works in the shared workspace. Commit once to use worktrees.',
        422,
      );
    return { prefix: prefix.replace(/\/$/, '') };
  }

  async function readMeta(id: WorktreeId): Promise<WorktreeMeta> {
    worktreeIdSchema.parse(id);
    const text = await readFile(await metaPath(id), 'utf8').catch(() => undefined);
    const dirExists = await stat(await dirOf(id)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!text || !dirExists)
      throw new RunnerError(
        'WORKTREE_NOT_FOUND',
        `There is no worktree "${id}" in this workspace (it was never created, or was already merged or discarded).`,
        404,
      );
    return JSON.parse(text) as WorktreeMeta;
  }

  const infoOf = (m: WorktreeMeta): WorktreeInfo => ({
    id: m.id,
    branch: m.branch,
    baseCommit: m.baseCommit,
    createdAt: m.createdAt,
  });

  async function create(request: CreateWorktreeRequest): Promise<WorktreeInfo> {
    const facts = await repoFacts();
    const dir = await dirOf(request.id);
    const branch = worktreeBranchOf(request.id);
    const taken = await stat(dir).then(
      () => true,
      () => false,
    );
    const branchTaken = await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
      cwd: deps.workspace,
      allowFailure: true,
    });
    if (taken || branchTaken.exitCode === 0)
      throw new RunnerError('WORKTREE_EXISTS', `A worktree or branch for "${request.id}" already exists.`, 409);
    const base = await runGit(
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${request.base ?? 'HEAD'}^{commit}`],
      {
        cwd: deps.workspace,
        allowFailure: true,
      },
    );
    if (base.exitCode !== 0)
      throw new RunnerError('INVALID_REQUEST', `"${request.base}" is not a commit, branch or tag of the workspace.`);
    const baseCommit = base.stdout.toString('utf8').trim();
    await mkdir(await worktreesFolder(), { recursive: true, mode: 0o700 });
    // Hooks are off for every runner git call (git-cli.ts): a post-checkout hook would run on every spawn.
    await runGit(['worktree', 'add', '--quiet', '-b', branch, dir, baseCommit], { cwd: deps.workspace });
    const gitLink = await readFile(join(dir, '.git'), 'utf8');
    const meta: WorktreeMeta = {
      id: request.id,
      branch,
      baseCommit,
      createdAt: Date.now(),
      prefix: facts.prefix,
      gitLink,
    };
    await writeFile(await metaPath(request.id), JSON.stringify(meta), { mode: 0o600 });
    return infoOf(meta);
  }

  async function list(): Promise<WorktreeInfo[]> {
    const names = await readdir(await worktreesFolder()).catch(() => [] as string[]);
    const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
    const metas = await Promise.all(
      ids.filter((id) => worktreeIdSchema.safeParse(id).success).map((id) => readMeta(id).catch(() => undefined)),
    );
    return metas.flatMap((m) => (m ? [infoOf(m)] : [])).sort((a, b) => a.createdAt - b.createdAt);
  }

  async function rootOf(id: WorktreeId): Promise<string> {
    const meta = await readMeta(id);
    return join(await dirOf(id), meta.prefix);
  }

  async function assertGitLink(meta: WorktreeMeta): Promise<void> {
    const link = await readFile(join(await dirOf(meta.id), '.git'), 'utf8').catch(() => undefined);
    if (link !== meta.gitLink)
      throw new RunnerError(
        'GIT_FAILED',
        `The .git file of the worktree "${meta.id}" was changed or removed, so the runner will not run git there; discard the worktree.`,
        409,
      );
  }

  /** Where and how every git call in a worktree runs: pinned to the repository recorded at creation. */
  async function worktreeGit(meta: WorktreeMeta): Promise<{ cwd: string; env: GitExtraEnv }> {
    const dir = await dirOf(meta.id);
    return { cwd: dir, env: { GIT_DIR: gitDirOfLink(meta.gitLink, dir), GIT_WORK_TREE: dir } };
  }

  /** A tree object of everything in the worktree now (tracked, modified, untracked but not ignored). */
  async function snapshotTree(meta: WorktreeMeta): Promise<string> {
    await assertGitLink(meta);
    const id = meta.id;
    const pinned = await worktreeGit(meta);
    const dir = pinned.cwd;
    const index = join(await worktreesFolder(), `${id}.index-${randomBytes(6).toString('hex')}`);
    const env = { ...pinned.env, GIT_INDEX_FILE: index };
    try {
      // Starting from a copy of the worktree's index keeps its stat cache: only changed files are hashed again.
      // The copy keeps the index's mtime too: git re-hashes a file written in the same second as the index
      // ("racily clean"), and a fresh mtime would make a same-size edit made in that second look unchanged.
      const realIndex = resolve(dir, await gitText(['rev-parse', '--git-path', 'index'], pinned));
      const copied = await copyFile(realIndex, index).then(
        async () => {
          const { atime, mtime } = await stat(realIndex);
          await utimes(index, atime, mtime);
          return true;
        },
        () => false,
      );
      if (!copied) await runGit(['read-tree', 'HEAD'], { cwd: dir, env });
      await runGit(['add', '--all', '--', '.'], { cwd: dir, env });
      return await gitText(['write-tree'], { cwd: dir, env });
    } finally {
      await rm(index, { force: true });
    }
  }

  async function changes(meta: WorktreeMeta, tree: string): Promise<WorktreeFileChange[]> {
    const pinned = await worktreeGit(meta);
    const spec = ['--', meta.prefix || '.'];
    const [numstat, names] = await Promise.all([
      runGit(['diff', ...DIFF_FLAGS, '--numstat', '-z', meta.baseCommit, tree, ...spec], pinned),
      runGit(['diff', ...DIFF_FLAGS, '--name-status', '-z', meta.baseCommit, tree, ...spec], pinned),
    ]);
    const statusOf = new Map<string, WorktreeFileChange['status']>();
    const parts = names.stdout.toString('utf8').split('\0');
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const letter = parts[i]!.charAt(0);
      statusOf.set(parts[i + 1]!, letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified');
    }
    return numstat.stdout
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const [added = '', removed = '', ...rest] = line.split('\t');
        const path = rest.join('\t');
        const binary = added === '-';
        return {
          path,
          status: statusOf.get(path) ?? 'modified',
          added: binary ? 0 : Number(added),
          removed: binary ? 0 : Number(removed),
          binary,
        };
      });
  }

  const statOf = (files: WorktreeFileChange[]) => ({
    files: files.length,
    added: files.reduce((n, f) => n + f.added, 0),
    removed: files.reduce((n, f) => n + f.removed, 0),
  });

  async function diff(id: WorktreeId): Promise<WorktreeDiff> {
    const meta = await readMeta(id);
    const tree = await snapshotTree(meta);
    const files = await changes(meta, tree);
    const text = (
      await runGit(['diff', ...DIFF_FLAGS, meta.baseCommit, tree, '--', meta.prefix || '.'], await worktreeGit(meta))
    ).stdout.toString('utf8');
    const truncated = text.length > MAX_DISPLAY_DIFF_CHARS;
    return {
      ...infoOf(meta),
      files,
      stat: statOf(files),
      diff: truncated ? text.slice(0, MAX_DISPLAY_DIFF_CHARS) : text,
      truncated,
    };
  }

  /** Removes the worktree and deletes its branch; tolerant of a directory someone already deleted. */
  async function remove(meta: WorktreeMeta): Promise<void> {
    const dir = await dirOf(meta.id);
    const removed = await runGit(['worktree', 'remove', '--force', '--force', dir], {
      cwd: deps.workspace,
      allowFailure: true,
    });
    if (removed.exitCode !== 0) {
      await rm(dir, { recursive: true, force: true });
      await runGit(['worktree', 'prune'], { cwd: deps.workspace });
    }
    await runGit(['branch', '-D', '--', meta.branch], { cwd: deps.workspace, allowFailure: true });
    await rm(await metaPath(meta.id), { force: true });
  }

  async function merge(id: WorktreeId): Promise<WorktreeMergeResult> {
    const meta = await readMeta(id);
    const tree = await snapshotTree(meta);
    const files = await changes(meta, tree);
    await mergeIntoWorkspace({
      worktreeGit: await worktreeGit(meta),
      workspace: deps.workspace,
      prefix: meta.prefix,
      baseCommit: meta.baseCommit,
      tree,
      branch: meta.branch,
      scratch: await worktreesFolder(),
    });
    await remove(meta);
    return { id, branch: meta.branch, merged: true, files, stat: statOf(files) };
  }

  return {
    create: (request) => serial(() => create(request)),
    list,
    rootOf,
    diff,
    merge: (id) => serial(() => merge(id)),
    discard: (id) =>
      serial(async () => {
        const meta = await readMeta(id);
        await remove(meta);
        return { id, branch: meta.branch, discarded: true as const };
      }),
  };
}
