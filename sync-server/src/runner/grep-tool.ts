// grep: searches text files in the workspace (the same descriptor walk as list_files, so .gitignore is
// honoured and no symlink leads out). Files are read here, through the walk's descriptors; the regular
// expression runs on a worker thread (grep-match-worker.mjs) under a time limit, so a pattern that
// backtracks for minutes costs one thread until the limit, never the runner's event loop.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { GrepInput, GrepOutput } from '@boocode/shared/runner/tool-contracts';
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

interface Matcher {
  /** Matches of one file's bytes; rejects once the matcher was stopped. */
  match(bytes: Buffer, max: number): Promise<{ line: number; text: string }[]>;
  stop(reason: Error): void;
}

function startMatcher(pattern: { source: string; flags: string }): Matcher {
  const worker = new Worker(new URL('./grep-match-worker.mjs', import.meta.url), { workerData: pattern });
  const waiting = new Map<
    number,
    { resolve: (m: { line: number; text: string }[]) => void; reject: (e: Error) => void }
  >();
  let stopped: Error | undefined;
  let nextId = 0;
  const stop = (reason: Error) => {
    if (stopped) return;
    stopped = reason;
    for (const pending of waiting.values()) pending.reject(reason);
    waiting.clear();
    // terminate() interrupts a regular expression in the middle of its backtracking.
    void worker.terminate();
  };
  worker.on('message', (message: { id: number; matches: { line: number; text: string }[] }) => {
    waiting.get(message.id)?.resolve(message.matches);
    waiting.delete(message.id);
  });
  worker.on('error', (error) => stop(new RunnerError('INTERNAL', `grep's matcher failed: ${error.message}`, 500)));
  return {
    match(bytes, max) {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // A copy the worker owns: the file's bytes move to its thread without a second copy.
        const owned = new Uint8Array(bytes);
        worker.postMessage({ id, bytes: owned, max }, [owned.buffer]);
      });
    },
    stop,
  };
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
  options: { timeoutMs?: number } = {},
): Promise<GrepOutput> {
  const pattern = compile(input);
  const max = input.maxMatches ?? 200;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GREP_TIMEOUT_MS;
  return withWalk(root, input.path ?? '.', async (walked, opened) => {
    if (walked.kind === 'missing') throw new RunnerError('NOT_FOUND', `Nothing at "${input.path}".`, 404);
    const matcher = startMatcher(pattern);
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
      matcher.stop(new Error('grep finished'));
    }
  });
}
