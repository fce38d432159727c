// Confines every file path to the workspace root. Root and target are resolved to real paths
// (symlinks followed; for a path that does not exist yet, its deepest existing parent) and
// compared segment by segment, never by string prefix (`/work/app-evil` is not in `/work/app`).
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RunnerError } from './runner-error.ts';

export interface ResolvedPath {
  /** Real absolute path: operate on this, not on the requested string. */
  absolute: string;
  /** Path relative to the real workspace root, '' for the root itself, always with '/'. */
  relative: string;
  exists: boolean;
}

// Percent-encoded dot, slash, backslash, NUL and percent itself (double encoding): a path
// that needs them is a trick, since nothing here URL-decodes paths.
const ENCODED_TRICK = /%(2e|2f|5c|00|25)/i;

function outside(requested: string, why: string): RunnerError {
  return new RunnerError(
    'PATH_OUTSIDE_WORKSPACE',
    `The path "${requested.replace(/\0/g, '\\0')}" is outside the workspace: ${why}.`,
    403,
  );
}

function isInside(rootReal: string, targetReal: string): boolean {
  const rootSegments = rootReal.split(sep).filter(Boolean);
  const targetSegments = targetReal.split(sep).filter(Boolean);
  if (targetSegments.length < rootSegments.length) return false;
  return rootSegments.every((segment, i) => targetSegments[i] === segment);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Real path of `target`, or of its deepest existing parent with the missing tail appended. */
async function realpathAllowingMissing(target: string, requested: string): Promise<{ real: string; exists: boolean }> {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      const real = await realpath(current);
      return { real: missing.length === 0 ? real : join(real, ...missing.reverse()), exists: missing.length === 0 };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      // A dangling symlink exists but has no real path: writing through it would create its
      // target wherever it points, so it cannot be checked and is refused.
      if (await exists(current)) throw outside(requested, 'it goes through a symlink whose target does not exist');
      const parent = dirname(current);
      if (parent === current) throw outside(requested, 'no part of it exists');
      missing.push(basename(current));
      current = parent;
    }
  }
}

export async function resolveInsideWorkspace(root: string, requested: string): Promise<ResolvedPath> {
  if (requested.includes('\0')) throw outside(requested, 'it contains a NUL byte');
  if (ENCODED_TRICK.test(requested)) throw outside(requested, 'it contains URL-encoded path characters');
  if (requested.split(/[\\/]/).includes('..')) throw outside(requested, '".." is not allowed');
  const rootReal = await realpath(root);
  const target = isAbsolute(requested) ? resolve(requested) : resolve(rootReal, requested);
  const resolved = await realpathAllowingMissing(target, requested);
  if (!isInside(rootReal, resolved.real)) {
    const why = isInside(rootReal, target) ? 'a symlink in it points outside' : 'it is not under the workspace root';
    throw outside(requested, why);
  }
  return {
    absolute: resolved.real,
    relative: relative(rootReal, resolved.real).split(sep).join('/'),
    exists: resolved.exists,
  };
}
