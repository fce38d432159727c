// list_files and grep's file walk: walks a directory inside the workspace through directory descriptors
// (each subdirectory opened O_NOFOLLOW in its parent's descriptor, as the path guard does), honouring the
// .gitignore files it meets (root and nested) and never entering .git or a private folder. Symlinks are
// listed but not followed, so a link to a big or outside tree cannot leak into the walk.
import { constants, type Dirent } from 'node:fs';
import { type FileHandle, open, readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ListFilesInput, ListFilesOutput } from '@boocode/shared/runner/tool-contracts';
import ignore, { type Ignore } from 'ignore';
import { childPath, dirPath, type OpenedDir, type RootSpec, type WorkspaceRoot, withWalk } from './path-guard.ts';
import { RunnerError } from './runner-error.ts';

interface IgnoreScope {
  /** Directory of the .gitignore, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

/** A .gitignore read through its directory's descriptor; a symlinked one is not followed. */
async function loadGitignore(root: WorkspaceRoot, dir: OpenedDir): Promise<IgnoreScope | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(
      childPath(root, dir, '.gitignore'),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch {
    return undefined;
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    return { base: dir.relative, rules: ignore().add(await handle.readFile('utf8')) };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

function isIgnored(scopes: IgnoreScope[], relativePath: string, isDir: boolean): boolean {
  return scopes.some((scope) => {
    const inScope = scope.base === '' ? relativePath : posix.relative(scope.base, relativePath);
    if (inScope === '' || inScope.startsWith('..')) return false;
    return scope.rules.ignores(isDir ? `${inScope}/` : inScope);
  });
}

export interface WalkEntry {
  relative: string;
  /** The directory holding the entry, open while the walk is paused at this entry. */
  parent: OpenedDir;
  name: string;
  isDir: boolean;
  /** Symlinks are reported, never followed by the walk; readers must walk them through the path guard. */
  isSymlink: boolean;
}

/** Opens a subdirectory without following it; undefined when it is gone, or is no directory by now. */
async function openSubdir(root: WorkspaceRoot, dir: OpenedDir, name: string, relative: string) {
  let handle: FileHandle;
  try {
    handle = await open(childPath(root, dir, name), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  const stats = await handle.stat().catch(() => undefined);
  if (!stats || root.privateIds.has(`${stats.dev}:${stats.ino}`)) {
    await handle.close();
    return undefined;
  }
  return { handle, relative };
}

/**
 * Yields entries under the last of `dirs` (the path guard's stack, root first) in a stable order; the
 * .gitignore files of every directory on the way apply too.
 */
export async function* walkWorkspace(
  root: WorkspaceRoot,
  dirs: OpenedDir[],
  recursive: boolean,
): AsyncGenerator<WalkEntry> {
  const scopes: IgnoreScope[] = [];
  for (const dir of dirs) {
    const scope = await loadGitignore(root, dir);
    if (scope) scopes.push(scope);
  }
  yield* walkDir(root, dirs[dirs.length - 1]!, scopes, recursive);
}

async function* walkDir(
  root: WorkspaceRoot,
  dir: OpenedDir,
  scopes: IgnoreScope[],
  recursive: boolean,
): AsyncGenerator<WalkEntry> {
  let entries: Dirent[];
  try {
    entries = await readdir(dirPath(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const relative = dir.relative === '' ? entry.name : `${dir.relative}/${entry.name}`;
    const isDir = entry.isDirectory();
    if (isIgnored(scopes, relative, isDir)) continue;
    if (!isDir) {
      yield { relative, parent: dir, name: entry.name, isDir, isSymlink: entry.isSymbolicLink() };
      continue;
    }
    // Opened before it is listed: a private folder is left out entirely, not just left unentered.
    const sub = await openSubdir(root, dir, entry.name, relative);
    if (!sub) continue;
    try {
      yield { relative, parent: dir, name: entry.name, isDir, isSymlink: false };
      if (!recursive) continue;
      const nested = await loadGitignore(root, sub);
      yield* walkDir(root, sub, nested ? [...scopes, nested] : scopes, recursive);
    } finally {
      await sub.handle.close();
    }
  }
}

export async function listWorkspaceFiles(root: string | RootSpec, input: ListFilesInput): Promise<ListFilesOutput> {
  return withWalk(root, input.path ?? '.', async (walked, opened) => {
    if (walked.kind === 'missing') throw new RunnerError('NOT_FOUND', `No directory at "${input.path}".`, 404);
    if (walked.kind !== 'dir') {
      throw new RunnerError('NOT_A_DIRECTORY', `"${input.path}" is a file; use read_file to read it.`);
    }
    const limit = input.limit ?? 2000;
    const entries: string[] = [];
    for await (const entry of walkWorkspace(opened, walked.dirs, input.recursive ?? true)) {
      if (entries.length >= limit) return { entries, truncated: true };
      entries.push(entry.isDir ? `${entry.relative}/` : entry.relative);
    }
    return { entries, truncated: false };
  });
}
