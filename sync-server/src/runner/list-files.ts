// list_files and grep's file walk: walks a directory inside the workspace, honouring the
// .gitignore files it meets (root and nested) and never entering .git. Symlinks are listed but
// not followed, so a link to a big or outside tree cannot leak into the walk.
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ListFilesInput, ListFilesOutput } from '@boocode/shared/runner/tool-contracts';
import ignore, { type Ignore } from 'ignore';
import { resolveInsideWorkspace } from './path-guard.ts';
import { RunnerError } from './runner-error.ts';

interface IgnoreScope {
  /** Directory of the .gitignore, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

async function loadGitignore(rootReal: string, dirRelative: string): Promise<IgnoreScope | undefined> {
  try {
    const text = await readFile(join(rootReal, dirRelative, '.gitignore'), 'utf8');
    return { base: dirRelative, rules: ignore().add(text) };
  } catch {
    return undefined;
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
  absolute: string;
  isDir: boolean;
  /** Symlinks are reported, never followed by the walk; readers must resolve them first. */
  isSymlink: boolean;
}

/** Yields entries under `startRelative` in a stable order; parents' .gitignore files apply too. */
export async function* walkWorkspace(
  rootReal: string,
  startRelative: string,
  recursive: boolean,
): AsyncGenerator<WalkEntry> {
  const scopes: IgnoreScope[] = [];
  const parts = startRelative === '' ? [] : startRelative.split('/');
  for (let i = 0; i <= parts.length; i++) {
    const scope = await loadGitignore(rootReal, parts.slice(0, i).join('/'));
    if (scope) scopes.push(scope);
  }
  yield* walkDir(rootReal, startRelative, scopes, recursive);
}

async function* walkDir(
  rootReal: string,
  dirRelative: string,
  scopes: IgnoreScope[],
  recursive: boolean,
): AsyncGenerator<WalkEntry> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(rootReal, dirRelative), { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const relative = dirRelative === '' ? entry.name : `${dirRelative}/${entry.name}`;
    const isDir = entry.isDirectory();
    if (isIgnored(scopes, relative, isDir)) continue;
    yield { relative, absolute: join(rootReal, relative), isDir, isSymlink: entry.isSymbolicLink() };
    if (!isDir || !recursive) continue;
    const nested = await loadGitignore(rootReal, relative);
    yield* walkDir(rootReal, relative, nested ? [...scopes, nested] : scopes, recursive);
  }
}

export async function listWorkspaceFiles(root: string, input: ListFilesInput): Promise<ListFilesOutput> {
  const start = await resolveInsideWorkspace(root, input.path ?? '.');
  if (!start.exists) throw new RunnerError('NOT_FOUND', `No directory at "${input.path}".`, 404);
  if (!(await stat(start.absolute)).isDirectory()) {
    throw new RunnerError('NOT_A_DIRECTORY', `"${input.path}" is a file; use read_file to read it.`);
  }
  const rootReal = (await resolveInsideWorkspace(root, '.')).absolute;
  const limit = input.limit ?? 2000;
  const entries: string[] = [];
  for await (const entry of walkWorkspace(rootReal, start.relative, input.recursive ?? true)) {
    if (entries.length >= limit) return { entries, truncated: true };
    entries.push(entry.isDir ? `${entry.relative}/` : entry.relative);
  }
  return { entries, truncated: false };
}
