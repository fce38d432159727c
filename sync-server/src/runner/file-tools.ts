// read_file, write_file and edit_file. Every path goes through resolveInsideWorkspace first,
// and the real path it returns is the one opened.
import { constants } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  EditFileInput,
  EditFileOutput,
  ReadFileInput,
  ReadFileOutput,
  WriteFileInput,
  WriteFileOutput,
} from '@boocode/shared/runner/tool-contracts';
import { resolveInsideWorkspace } from './path-guard.ts';
import { RunnerError } from './runner-error.ts';

const MAX_READ_BYTES = 10 * 1024 * 1024;
const MAX_RETURNED_CHARS = 256 * 1024;

async function readExistingFile(
  root: string,
  path: string,
): Promise<{ absolute: string; relative: string; text: string }> {
  const resolved = await resolveInsideWorkspace(root, path);
  if (!resolved.exists) throw new RunnerError('NOT_FOUND', `No file at "${path}".`, 404);
  const info = await stat(resolved.absolute);
  if (!info.isFile()) throw new RunnerError('NOT_A_FILE', `"${path}" is not a regular file.`);
  if (info.size > MAX_READ_BYTES) {
    throw new RunnerError('FILE_TOO_LARGE', `"${path}" is ${info.size} bytes; the limit is ${MAX_READ_BYTES}.`);
  }
  return { absolute: resolved.absolute, relative: resolved.relative, text: await readFile(resolved.absolute, 'utf8') };
}

export async function readWorkspaceFile(root: string, input: ReadFileInput): Promise<ReadFileOutput> {
  const file = await readExistingFile(root, input.path);
  const lines = file.text.split('\n');
  const start = (input.startLine ?? 1) - 1;
  const end = input.endLine ?? lines.length;
  let content = input.startLine || input.endLine ? lines.slice(start, end).join('\n') : file.text;
  const truncated = content.length > MAX_RETURNED_CHARS;
  if (truncated) content = content.slice(0, MAX_RETURNED_CHARS);
  return {
    path: file.relative,
    content,
    totalLines: lines.length,
    sizeBytes: Buffer.byteLength(file.text),
    truncated,
  };
}

/** Writes to the real path with O_NOFOLLOW, so a symlink swapped in after the check is not followed. */
async function writeReal(absolute: string, content: string): Promise<void> {
  const handle = await open(
    absolute,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}

export async function writeWorkspaceFile(root: string, input: WriteFileInput): Promise<WriteFileOutput> {
  const resolved = await resolveInsideWorkspace(root, input.path);
  if (resolved.exists && !(await stat(resolved.absolute)).isFile()) {
    throw new RunnerError('NOT_A_FILE', `"${input.path}" exists and is not a regular file.`);
  }
  await mkdir(dirname(resolved.absolute), { recursive: true });
  // The directories just created could in theory race with a symlink swap; check again.
  const again = await resolveInsideWorkspace(root, input.path);
  await writeReal(again.absolute, input.content);
  return { path: again.relative, bytesWritten: Buffer.byteLength(input.content), created: !resolved.exists };
}

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

export async function editWorkspaceFile(root: string, input: EditFileInput): Promise<EditFileOutput> {
  const file = await readExistingFile(root, input.path);
  const count = countOccurrences(file.text, input.oldText);
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
  const updated = file.text.split(input.oldText).join(input.newText);
  await writeReal(file.absolute, updated);
  return { path: file.relative, replacements: count };
}
