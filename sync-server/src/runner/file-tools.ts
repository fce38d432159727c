// read_file, write_file and edit_file. Every path is walked by the path guard (path-guard.ts), and the
// descriptors it returns are what is read and written: nothing is looked up by path string again.
// Writes go to a temporary file created O_EXCL|O_NOFOLLOW in the walked directory and renamed over the
// name in that same directory: a reader never sees half a file, and a symlink swapped in at the name is
// replaced, not followed.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { fileDiff } from '@boocode/shared/runner/file-diff';
import type {
  EditFileInput,
  EditFileOutput,
  ReadFileInput,
  ReadFileOutput,
  WriteFileInput,
  WriteFileOutput,
} from '@boocode/shared/runner/tool-contracts';
import {
  childPath,
  type OpenedDir,
  outside,
  type RootSpec,
  type Walked,
  type WorkspaceRoot,
  withWalk,
} from './path-guard.ts';
import { RunnerError } from './runner-error.ts';

const MAX_READ_BYTES = 10 * 1024 * 1024;
const MAX_RETURNED_CHARS = 256 * 1024;
/** Mode of a file write_file creates (before the umask), as before temporary files. */
const NEW_FILE_MODE = 0o644;

type FileEntry = Extract<Walked, { kind: 'entry' }>;

function existingFile(walked: Walked, path: string): FileEntry {
  if (walked.kind === 'missing') throw new RunnerError('NOT_FOUND', `No file at "${path}".`, 404);
  if (walked.kind !== 'entry' || !walked.stats.isFile()) {
    throw new RunnerError('NOT_A_FILE', `"${path}" is not a regular file.`);
  }
  if (walked.stats.size > MAX_READ_BYTES) {
    throw new RunnerError('FILE_TOO_LARGE', `"${path}" is ${walked.stats.size} bytes; the limit is ${MAX_READ_BYTES}.`);
  }
  return walked;
}

/** Reads through the descriptor the walk opened (O_NOFOLLOW), never by path. */
async function readText(file: FileEntry): Promise<string> {
  return file.handle.readFile('utf8');
}

export async function readWorkspaceFile(root: string | RootSpec, input: ReadFileInput): Promise<ReadFileOutput> {
  return withWalk(root, input.path, async (walked) => {
    const file = existingFile(walked, input.path);
    const text = await readText(file);
    const lines = text.split('\n');
    const start = (input.startLine ?? 1) - 1;
    const end = input.endLine ?? lines.length;
    let content = input.startLine || input.endLine ? lines.slice(start, end).join('\n') : text;
    const truncated = content.length > MAX_RETURNED_CHARS;
    if (truncated) content = content.slice(0, MAX_RETURNED_CHARS);
    return { path: file.relative, content, totalLines: lines.length, sizeBytes: Buffer.byteLength(text), truncated };
  });
}

/**
 * A write that lost a race, in words: the folder was deleted while held open (ENOENT), or a name made a
 * moment ago is now a file or a symlink (ENOTDIR, ELOOP). Anything else is not a race and goes up as is.
 */
function raceRefusal(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new RunnerError('NOT_FOUND', `A folder of "${path}" was removed while it was being written.`, 404);
  }
  if (code === 'ENOTDIR' || code === 'ELOOP') return outside(path, 'it changed while being written');
  return error;
}

/**
 * Writes `content` as `name` in `dir`: a new temporary file beside it (O_EXCL|O_NOFOLLOW, so nothing
 * that was there is reused or followed), then rename() within the same directory descriptor.
 */
async function replaceInDir(
  root: WorkspaceRoot,
  dir: OpenedDir,
  name: string,
  content: string | Buffer,
  mode?: number,
) {
  const temporary = `.boocode-write-${randomBytes(6).toString('hex')}.tmp`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const path = dir.relative === '' ? name : `${dir.relative}/${name}`;
  const handle = await open(childPath(root, dir, temporary), flags, mode ?? NEW_FILE_MODE).catch((error) => {
    throw raceRefusal(error, path);
  });
  try {
    try {
      await handle.writeFile(content);
      // Keep an existing file's permissions (an executable script stays executable).
      if (mode !== undefined) await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await rename(childPath(root, dir, temporary), childPath(root, dir, name));
  } catch (error) {
    await unlink(childPath(root, dir, temporary)).catch(() => undefined);
    throw raceRefusal(error, path);
  }
}

/** Creates the missing directories one name at a time, each opened without following before the next. */
async function makeDirs(root: WorkspaceRoot, from: OpenedDir, names: string[], requested: string) {
  let dir = from;
  const opened: FileHandle[] = [];
  try {
    for (const name of names) {
      await mkdir(childPath(root, dir, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      const handle = await open(
        childPath(root, dir, name),
        constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
      );
      opened.push(handle);
      dir = { handle, relative: dir.relative === '' ? name : `${dir.relative}/${name}` };
    }
    return { dir, close: () => Promise.all(opened.map((h) => h.close())) };
  } catch (error) {
    await Promise.all(opened.map((h) => h.close()));
    throw raceRefusal(error, requested);
  }
}

/**
 * Checks the real path a write lands on (after the walk followed any symlink), on the very walk that writes:
 * a refusal decided on an earlier lookup could be dodged by a link swapped in between.
 */
export type TargetCheck = (realRelative: string) => void;

/**
 * Writes `content` where the walk landed: over an existing regular file (mode from `modeFor` of its mode,
 * kept by default), or as a new file with its missing folders made one by one. Returns whether it was new.
 */
async function writeWalked(
  opened: WorkspaceRoot,
  walked: Walked,
  path: string,
  content: string | Buffer,
  modeFor: (existing: number | undefined) => number | undefined = (existing) => existing,
): Promise<boolean> {
  if (walked.kind === 'entry' && walked.stats.isFile()) {
    await replaceInDir(opened, walked.parent, walked.name, content, modeFor(walked.stats.mode & 0o7777));
    return false;
  }
  if (walked.kind !== 'missing') throw new RunnerError('NOT_A_FILE', `"${path}" exists and is not a regular file.`);
  const made = await makeDirs(opened, walked.parent, walked.names.slice(0, -1), path);
  try {
    await replaceInDir(opened, made.dir, walked.names[walked.names.length - 1]!, content, modeFor(undefined));
  } finally {
    await made.close();
  }
  return true;
}

/** Cap on a write's diff: it goes to the model with the result, so it stays a few hundred tokens at most. */
const WRITE_DIFF_CHARS = 2000;
/** Files larger than this are overwritten without a diff (reading and diffing them costs more than it shows). */
const MAX_DIFF_BYTES = 512 * 1024;

/** What an overwrite replaces, when it is a readable text file small enough to diff; else undefined. */
async function previousText(walked: Walked): Promise<string | undefined> {
  if (walked.kind !== 'entry' || !walked.stats.isFile() || walked.stats.size > MAX_DIFF_BYTES) return undefined;
  const text = await readText(walked);
  // A binary file is not worth a diff: a NUL byte says it is one.
  return text.includes('\0') ? undefined : text;
}

export async function writeWorkspaceFile(
  root: string | RootSpec,
  input: WriteFileInput,
  check?: TargetCheck,
): Promise<WriteFileOutput> {
  return withWalk(root, input.path, async (walked, opened) => {
    check?.(walked.relative);
    const before = await previousText(walked);
    const created = await writeWalked(opened, walked, input.path, input.content);
    const out: WriteFileOutput = { path: walked.relative, bytesWritten: Buffer.byteLength(input.content), created };
    if (before === undefined) return out;
    const diff = fileDiff(before, input.content, WRITE_DIFF_CHARS);
    return { ...out, diff: diff.text, ...(diff.truncated ? { diffTruncated: true } : {}) };
  });
}

/** For the worktree merge: a file's bytes through the walk; undefined when nothing is there. */
export async function readWorkspaceBytes(root: string | RootSpec, path: string): Promise<Buffer | undefined> {
  return withWalk(root, path, async (walked) => {
    if (walked.kind === 'missing') return undefined;
    if (walked.kind !== 'entry' || !walked.stats.isFile()) {
      throw new RunnerError('NOT_A_FILE', `"${path}" is not a regular file.`);
    }
    return walked.handle.readFile();
  });
}

/** For the worktree merge: writes bytes through the walk (folders made as needed); `executable` sets 0755. */
export async function writeWorkspaceBytes(
  root: string | RootSpec,
  path: string,
  content: Buffer,
  executable: boolean,
): Promise<void> {
  await withWalk(root, path, (walked, opened) =>
    writeWalked(opened, walked, path, content, (existing) => (executable ? 0o755 : existing)),
  );
}

/** For the worktree merge: removes a file, unlinked in its walked folder (nothing there is fine). */
export async function removeWorkspaceFile(root: string | RootSpec, path: string): Promise<void> {
  await withWalk(root, path, async (walked, opened) => {
    if (walked.kind === 'missing') return;
    if (walked.kind !== 'entry') throw new RunnerError('NOT_A_FILE', `"${path}" is not a file.`);
    await unlink(childPath(opened, walked.parent, walked.name)).catch((error) => {
      throw raceRefusal(error, path);
    });
  });
}

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

export async function editWorkspaceFile(
  root: string | RootSpec,
  input: EditFileInput,
  check?: TargetCheck,
): Promise<EditFileOutput> {
  return withWalk(root, input.path, async (walked, opened) => {
    check?.(walked.relative);
    const file = existingFile(walked, input.path);
    const text = await readText(file);
    const count = countOccurrences(text, input.oldText);
    if (count === 0) {
      throw new RunnerError(
        'MATCH_NOT_FOUND',
        `The text to replace was not found in "${input.path}". Read the file again and copy the text exactly, including whitespace.`,
        422,
      );
    }
    if (count > 1 && !input.replaceAll) {
      throw new RunnerError(
        'MATCH_NOT_UNIQUE',
        `The text to replace occurs ${count} times in "${input.path}". Include more surrounding lines to make it unique, or set replaceAll.`,
        422,
        { occurrences: count },
      );
    }
    // split/join, not String.replace: a replacement containing `$&` or `$1` must stay literal.
    const updated = text.split(input.oldText).join(input.newText);
    await replaceInDir(opened, file.parent, file.name, updated, file.stats.mode & 0o7777);
    return { path: file.relative, replacements: count };
  });
}
