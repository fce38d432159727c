// Confines every file path to the workspace root without a gap between checking and using: the path is
// walked one name at a time from an open descriptor of the root, each name opened with O_NOFOLLOW in the
// directory descriptor before it. Node has no openat(), so on Linux "in this directory descriptor" is
// spelled /proc/self/fd/<fd>/<name>: the kernel resolves that magic link to the directory the descriptor
// holds, not to a path, so a directory renamed or swapped for a symlink after it was opened changes nothing.
// Symlinks met on the way are read and resolved by this walk itself, inside the root (".." pops the walk's
// own stack of open directories); one that leaves the root is refused. Tools read, write and list through
// the descriptors the walk returns and never look the path up again.
// Without /proc (not Linux), names are looked up under the directory's path string instead: the last name
// is still never followed, but a directory swapped for a symlink mid-walk could be (the old guard's limit).
import { constants, existsSync, type Stats } from 'node:fs';
import { type FileHandle, open, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { RunnerError } from './runner-error.ts';

/** What a tool is confined to: the root, and folders under it that no tool may enter (tokens, keys). */
export interface RootSpec {
  path: string;
  privateDirs?: readonly string[];
}

export interface WorkspaceRoot {
  /** The root's real path (symlinks in the configured path resolved once, at open). */
  real: string;
  /** The root as configured, for absolute paths the caller wrote with it. */
  given: string;
  dir: OpenedDir;
  /** `dev:ino` of each private folder. */
  privateIds: ReadonlySet<string>;
  close(): Promise<void>;
}

export interface OpenedDir {
  handle: FileHandle;
  /** Real path relative to the root, '' for the root itself, always with '/'. */
  relative: string;
}

interface WalkBase {
  /** Real path relative to the root ('' for the root), '/'-separated. */
  relative: string;
  /** Real absolute path, for messages and for callers that still hand paths to other programs. */
  absolute: string;
  /** Closes every descriptor the walk holds. */
  close(): Promise<void>;
}

export type Walked = WalkBase &
  (
    | { kind: 'dir' /** Root first, the target last. */; dirs: OpenedDir[] }
    | { kind: 'entry'; parent: OpenedDir; name: string; handle: FileHandle; stats: Stats }
    | {
        kind: 'missing';
        parent: OpenedDir /** names[0] is missing in parent, the rest would be beneath it. */;
        names: string[];
      }
  );

/** Opened read-only, never following a last-component symlink, never blocking on a FIFO. */
const ENTRY_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** Linux's limit on symlinks in one resolution; a loop ends here. */
const MAX_LINKS = 40;
/** Percent-encoded dot, slash, backslash, NUL and percent itself (double encoding). */
const ENCODED_TRICK = /%(2e|2f|5c|00|25)/i;

let procFdChecked: boolean | undefined;
function hasProcFd(): boolean {
  procFdChecked ??= existsSync('/proc/self/fd');
  return procFdChecked;
}

/** Path that names `name` inside the directory `dir` holds open. */
export function childPath(root: WorkspaceRoot, dir: OpenedDir, name: string): string {
  return hasProcFd() ? `/proc/self/fd/${dir.handle.fd}/${name}` : join(root.real, dir.relative, name);
}

/** Path that opens the directory itself again (for readdir). */
export function dirPath(root: WorkspaceRoot, dir: OpenedDir): string {
  return hasProcFd() ? `/proc/self/fd/${dir.handle.fd}` : join(root.real, dir.relative);
}

export function outside(requested: string, why: string): RunnerError {
  return new RunnerError(
    'PATH_OUTSIDE_WORKSPACE',
    `The path "${requested.replace(/\0/g, '\\0')}" is outside the workspace: ${why}.`,
    403,
  );
}

function idOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

export async function openWorkspaceRoot(spec: string | RootSpec): Promise<WorkspaceRoot> {
  const { path, privateDirs = [] } = typeof spec === 'string' ? { path: spec } : spec;
  // The root is the user's own choice: following links in it once is fine; everything below is walked.
  const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const real = await realpath(hasProcFd() ? `/proc/self/fd/${handle.fd}` : path);
    const ids = await Promise.all(
      privateDirs.map((dir) => stat(dir).then(idOf, () => undefined)), // a folder not made yet hides nothing
    );
    return {
      real,
      given: normalize(path),
      dir: { handle, relative: '' },
      privateIds: new Set(ids.filter((id): id is string => id !== undefined)),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Names of `requested` below the root, or a refusal for what no walk should even try. */
function namesOf(root: WorkspaceRoot, requested: string): string[] {
  if (requested.includes('\0')) throw outside(requested, 'it contains a NUL byte');
  if (ENCODED_TRICK.test(requested)) throw outside(requested, 'it contains URL-encoded path characters');
  if (requested.split(/[\\/]/).includes('..')) throw outside(requested, '".." is not allowed');
  if (!isAbsolute(requested)) return splitNames(requested);
  const below = belowRoot(root, requested);
  if (below === undefined) throw outside(requested, 'it is not under the workspace root');
  return below;
}

function splitNames(path: string): string[] {
  return path.split('/').filter((name) => name !== '' && name !== '.');
}

/** Names under the root of an absolute path written with the root's real or configured path, else undefined. */
function belowRoot(root: WorkspaceRoot, absolute: string): string[] | undefined {
  const target = normalize(absolute).split(sep).filter(Boolean);
  for (const base of [root.real, root.given]) {
    const prefix = base.split(sep).filter(Boolean);
    if (prefix.length <= target.length && prefix.every((name, i) => target[i] === name)) {
      return target.slice(prefix.length);
    }
  }
  return undefined;
}

interface Pending {
  name: string;
  /** Came from a symlink's target: if it is missing, the link dangles, and a write through it is refused. */
  fromLink: boolean;
}

type Opened = { handle: FileHandle; stats: Stats } | { link: string } | 'missing';

/** Opens `name` in `dir` without following it; a symlink comes back as its target text. */
async function openEntry(root: WorkspaceRoot, dir: OpenedDir, name: string): Promise<Opened> {
  let handle: FileHandle;
  try {
    handle = await open(childPath(root, dir, name), ENTRY_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    // O_NOFOLLOW on a symlink: ELOOP (EMLINK on some BSDs). Read the link; if it is gone or no longer a
    // link by now (a race with another process), the name counts as missing: nothing is followed.
    if (code === 'ELOOP' || code === 'EMLINK') {
      const link = await readlink(childPath(root, dir, name)).catch(() => undefined);
      return link === undefined ? 'missing' : { link };
    }
    throw error;
  }
  try {
    return { handle, stats: await handle.stat() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Walks `requested` from the root and returns open descriptors for what it names. Throws
 * PATH_OUTSIDE_WORKSPACE for a path that leaves the root by any means (absolute elsewhere, "..",
 * encoded tricks, a symlink out, a dangling symlink, a private folder).
 */
export async function walkPath(root: WorkspaceRoot, requested: string): Promise<Walked> {
  const queue: Pending[] = namesOf(root, requested).map((name) => ({ name, fromLink: false }));
  const stack: OpenedDir[] = [root.dir];
  const owned: FileHandle[] = [];
  const closeAll = async () => {
    await Promise.all(owned.splice(0).map((h) => h.close().catch(() => undefined)));
  };
  const result = <T extends object>(rest: T, relative: string) => ({
    ...rest,
    relative,
    absolute: relative === '' ? root.real : join(root.real, relative),
    close: closeAll,
  });
  let links = 0;
  try {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const top = stack[stack.length - 1]!;
      if (next.name === '..') {
        // Only a link's target can say "..": step back on the walk's own stack, never above the root.
        if (stack.length === 1) throw outside(requested, 'a symlink in it points outside');
        stack.pop();
        continue;
      }
      const opened = await openEntry(root, top, next.name);
      if (opened === 'missing') {
        if (next.fromLink) {
          throw outside(requested, 'it goes through a symlink whose target does not exist');
        }
        const names = [next.name, ...queue.map((p) => p.name)];
        return result({ kind: 'missing' as const, parent: top, names }, joinRelative(top.relative, names.join('/')));
      }
      if ('link' in opened) {
        if (++links > MAX_LINKS) throw outside(requested, 'it goes through too many symlinks');
        queue.unshift(...linkTarget(root, requested, opened.link, stack));
        continue;
      }
      owned.push(opened.handle);
      const relative = joinRelative(top.relative, next.name);
      if (opened.stats.isDirectory()) {
        if (root.privateIds.has(idOf(opened.stats))) throw outside(requested, "it is BooCode's private data folder");
        stack.push({ handle: opened.handle, relative });
        continue;
      }
      if (queue.length > 0) {
        throw new RunnerError('NOT_A_DIRECTORY', `"${requested}" goes through "${relative}", which is not a folder.`);
      }
      return result(
        { kind: 'entry' as const, parent: top, name: next.name, handle: opened.handle, stats: opened.stats },
        relative,
      );
    }
    const target = stack[stack.length - 1]!;
    return result({ kind: 'dir' as const, dirs: [...stack] }, target.relative);
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The names a symlink stands for, to be walked in place of it; an absolute target restarts at the root. */
function linkTarget(root: WorkspaceRoot, requested: string, target: string, stack: OpenedDir[]): Pending[] {
  if (target.includes('\0')) throw outside(requested, 'a symlink in it points outside');
  let names: string[];
  if (isAbsolute(target)) {
    const below = belowRoot(root, target);
    if (below === undefined) throw outside(requested, 'a symlink in it points outside');
    stack.splice(1);
    names = below;
  } else {
    names = splitNames(target);
  }
  return names.map((name) => ({ name, fromLink: true }));
}

function joinRelative(base: string, name: string): string {
  return base === '' ? name : `${base}/${name}`;
}

/** Opens the root, walks, and hands both to `use`; everything is closed when it settles. */
export async function withWalk<T>(
  spec: string | RootSpec,
  requested: string,
  use: (walked: Walked, root: WorkspaceRoot) => Promise<T>,
): Promise<T> {
  const root = await openWorkspaceRoot(spec);
  try {
    const walked = await walkPath(root, requested);
    try {
      return await use(walked, root);
    } finally {
      await walked.close();
    }
  } finally {
    await root.close();
  }
}

export interface ResolvedPath {
  /** Real absolute path. For programs that take a path; the file tools use the walk's descriptors. */
  absolute: string;
  /** Path relative to the real workspace root, '' for the root itself, always with '/'. */
  relative: string;
  exists: boolean;
}

/** The walk's verdict as paths, for callers that hand a path to another program (a command's cwd, git). */
export function resolveInsideWorkspace(root: string | RootSpec, requested: string): Promise<ResolvedPath> {
  return withWalk(root, requested, async (walked) => ({
    absolute: walked.absolute,
    relative: walked.relative,
    exists: walked.kind !== 'missing',
  }));
}
