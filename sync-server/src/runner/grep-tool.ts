// grep: searches text files in the workspace (the same walk as list_files, so .gitignore is
// honoured). Lines are cut at MAX_LINE_CHARS before matching to bound regex work per line.
import { readFile, stat } from 'node:fs/promises';
import type { GrepInput, GrepOutput } from '@boocode/shared/runner/tool-contracts';
import { walkWorkspace } from './list-files.ts';
import { resolveInsideWorkspace } from './path-guard.ts';
import { RunnerError } from './runner-error.ts';

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_LINE_CHARS = 2000;

function compile(input: GrepInput): RegExp {
  const source = input.literal ? input.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : input.pattern;
  try {
    return new RegExp(source, input.caseInsensitive ? 'i' : '');
  } catch (error) {
    throw new RunnerError(
      'INVALID_PATTERN',
      `The pattern is not a valid regular expression: ${(error as Error).message}`,
    );
  }
}

async function searchFile(absolute: string, relative: string, regex: RegExp, out: GrepOutput['matches'], max: number) {
  const info = await stat(absolute);
  if (!info.isFile() || info.size > MAX_FILE_BYTES) return;
  const buffer = await readFile(absolute);
  if (buffer.subarray(0, 8000).includes(0)) return; // binary
  const lines = buffer.toString('utf8').split('\n');
  for (let i = 0; i < lines.length && out.length < max; i++) {
    const line = (lines[i] ?? '').slice(0, MAX_LINE_CHARS);
    if (regex.test(line)) out.push({ path: relative, line: i + 1, text: line });
  }
}

export async function grepWorkspace(root: string, input: GrepInput): Promise<GrepOutput> {
  const regex = compile(input);
  const max = input.maxMatches ?? 200;
  const start = await resolveInsideWorkspace(root, input.path ?? '.');
  if (!start.exists) throw new RunnerError('NOT_FOUND', `Nothing at "${input.path}".`, 404);
  const matches: GrepOutput['matches'] = [];
  if ((await stat(start.absolute)).isFile()) {
    await searchFile(start.absolute, start.relative, regex, matches, max);
    return { matches, truncated: matches.length >= max };
  }
  const rootReal = (await resolveInsideWorkspace(root, '.')).absolute;
  for await (const entry of walkWorkspace(rootReal, start.relative, true)) {
    if (entry.isDir) continue;
    const target = entry.isSymlink ? await resolveInsideWorkspace(root, entry.relative).catch(() => undefined) : entry;
    if (!target) continue; // a link pointing outside the workspace is skipped, not read
    await searchFile(target.absolute, entry.relative, regex, matches, max);
    if (matches.length >= max) return { matches, truncated: true };
  }
  return { matches, truncated: false };
}
