// grep: searches text files in the workspace (the same descriptor walk as list_files, so .gitignore is
// honoured and no symlink leads out). Files are read here, through the walk's descriptors; the regular
// expression runs on a worker thread (grep-matchers.ts) under a time limit, so a pattern that backtracks
// for minutes costs one thread until the limit, never the runner's event loop.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { GrepInput, GrepOutput } from '@boocode/shared/runner/tool-contracts';
import { createMatcherPool, type MatcherPool } from './grep-matchers.ts';
import { walkWorkspace } from './list-files.ts';
import { childPath, type RootSpec, type WorkspaceRoot, walkPath, withWalk } from './path-guard.ts';
import { RunnerError } from './runner-error.ts';

const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Default limit for one grep, the walk included. */
export const DEFAULT_GREP_TIMEOUT_MS = 20_000;

function compile(input: GrepInput): { source: string; flags: string } {
  const source = input.literal ? input.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : input.pattern;
  const flags = input.caseInsensitive ? 'i' : '';
  try {
    // Compiling never backtracks; it only proves the pattern valid before a thread is started for it.
    new RegExp(source, flags);
  } catch (error) {
    throw new RunnerError(
      'INVALID_PATTERN',
      `The pattern is not a valid regular expression: ${(error as Error).message}`,
    );
  }
  return { source, flags };
}

/** The bytes of a regular text file no larger than the limit, from an open descriptor. */
async function searchableBytes(handle: FileHandle): Promise<Buffer | undefined> {
  const info = await handle.stat();
  if (!info.isFile() || info.size > MAX_FILE_BYTES) return undefined;
  const buffer = await handle.readFile();
  return buffer.subarray(0, 8000).includes(0) ? undefined : buffer; // binary
}

/** A listed file, opened O_NOFOLLOW in its directory's descriptor. */
async function readListed(path: string): Promise<Buffer | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => undefined, // gone, or a symlink swapped in since the listing: skipped, never followed
  );
  if (!handle) return undefined;
  try {
    return await searchableBytes(handle);
  } finally {
    await handle.close();
  }
}

/** A listed symlink is walked by the path guard: followed only while it stays inside the root. */
async function readThroughLink(root: WorkspaceRoot, relative: string): Promise<Buffer | undefined> {
  const walked = await walkPath(root, relative).catch(() => undefined); // pointing outside: skipped, not read
  if (!walked) return undefined;
  try {
    return walked.kind === 'entry' ? await searchableBytes(walked.handle) : undefined;
  } finally {
    await walked.close();
  }
}

function timedOut(input: GrepInput, timeoutMs: number): RunnerError {
  return new RunnerError(
    'GREP_TIMED_OUT',
    `grep stopped after ${timeoutMs} ms without finishing. The pattern "${input.pattern}" may backtrack without end ` +
      '(nested repetition such as (a+)+ does), or the search covers too many files: simplify the pattern or search a smaller path.',
    422,
    { timeoutMs },
  );
}

export async function grepWorkspace(
  root: string | RootSpec,
  input: GrepInput,
  options: {
    timeoutMs?: number;
    /** The runner's warm matcher threads; a one-off thread otherwise. */
    matchers?: MatcherPool;
  } = {},
): Promise<GrepOutput> {
  const pattern = compile(input);
  const max = input.maxMatches ?? 200;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GREP_TIMEOUT_MS;
  return withWalk(root, input.path ?? '.', async (walked, opened) => {
    if (walked.kind === 'missing') throw new RunnerError('NOT_FOUND', `Nothing at "${input.path}".`, 404);
    const pool = options.matchers ?? createMatcherPool({ keepIdle: 0 });
    const matcher = pool.borrow(pattern);
    const timer = setTimeout(() => matcher.stop(timedOut(input, timeoutMs)), timeoutMs);
    const matches: GrepOutput['matches'] = [];
    const search = async (relative: string, bytes: Buffer | undefined) => {
      if (!bytes) return;
      for (const found of await matcher.match(bytes, max - matches.length)) matches.push({ path: relative, ...found });
    };
    try {
      if (walked.kind === 'entry') {
        await search(walked.relative, await searchableBytes(walked.handle));
        return { matches, truncated: matches.length >= max };
      }
      for await (const entry of walkWorkspace(opened, walked.dirs, true)) {
        if (entry.isDir) continue;
        const bytes = entry.isSymlink
          ? await readThroughLink(opened, entry.relative)
          : await readListed(childPath(opened, entry.parent, entry.name));
        await search(entry.relative, bytes);
        if (matches.length >= max) return { matches, truncated: true };
      }
      return { matches, truncated: false };
    } finally {
      clearTimeout(timer);
      matcher.release();
      if (!options.matchers) await pool.close();
    }
  });
}
