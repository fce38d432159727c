// The auto-fix loop's shapes and pure steps: the detected build/check command, the result of a
// run trimmed to the lines that matter, and the message injected into the agent's next turn.
// The runner runs the command; the agent engine calls nextAutoFixStep after each write turn.
import { z } from 'zod';

export const buildCommandSchema = z.strictObject({
  /** The package.json script it came from, or null when set by hand. */
  script: z.string().nullable(),
  command: z.string().min(1),
  args: z.array(z.string()),
});
export type BuildCommand = z.infer<typeof buildCommandSchema>;

export const buildInfoSchema = z.object({
  command: buildCommandSchema.nullable(),
  /** How the command was chosen: 'configured' (PUT /build), 'package.json', or 'none'. */
  source: z.enum(['configured', 'package.json', 'none']),
});
export type BuildInfo = z.infer<typeof buildInfoSchema>;

export const buildRunResultSchema = z.object({
  command: buildCommandSchema,
  ok: z.boolean(),
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number(),
  /** Only the lines that look like errors, with a little context, capped. */
  errors: z.string(),
  /** How many output lines were left out of `errors`. */
  omittedLines: z.number().int(),
});
export type BuildRunResult = z.infer<typeof buildRunResultSchema>;

/**
 * Preference order for auto-detected scripts. typecheck first: fastest, no side effects, and its
 * errors carry file:line. Then build (catches the same and bundling errors, but slower and writes
 * output), lint (style rules, rarely what broke), test last (slowest, may be flaky or need
 * services, and a failing test is not always caused by the last edit).
 */
export const BUILD_SCRIPT_PRIORITY = ['typecheck', 'build', 'lint', 'test'] as const;

export function pickBuildScript(scripts: Record<string, unknown>): string | undefined {
  return BUILD_SCRIPT_PRIORITY.find((name) => typeof scripts[name] === 'string' && scripts[name] !== '');
}

const ERROR_LINE =
  /\berror\b|\berr!|\bfail(ed|ure)?\b|\bexception\b|\bcannot find\b|\bnot found\b|✖|✘|×|^\s*at .+:\d+:\d+|[\w-]\.[A-Za-z]{1,5}(:\d+:\d+|\(\d+,\d+\))/i;
// The last alternative is a source location (`a.ts:3:7`, `a.ts(3,7)`), not any `12:34:56`.
// Strips colour codes so patterns match and the model reads plain text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export interface TrimOptions {
  /** Lines kept before and after each error line. */
  contextBefore?: number;
  contextAfter?: number;
  maxLines?: number;
  maxChars?: number;
  /** Lines kept from the end when no line looks like an error. */
  tailLines?: number;
}

export function trimBuildOutput(output: string, options: TrimOptions = {}): { text: string; omittedLines: number } {
  const { contextBefore = 1, contextAfter = 2, maxLines = 80, maxChars = 8000, tailLines = 30 } = options;
  const lines = output.replace(ANSI, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  const keep = new Set<number>();
  lines.forEach((line, i) => {
    if (!ERROR_LINE.test(line)) return;
    for (let j = Math.max(0, i - contextBefore); j <= Math.min(lines.length - 1, i + contextAfter); j++) keep.add(j);
  });
  if (keep.size === 0) {
    for (let j = Math.max(0, lines.length - tailLines); j < lines.length; j++) keep.add(j);
  }
  const kept: string[] = [];
  let chars = 0;
  let previous = -1;
  for (const i of [...keep].sort((a, b) => a - b)) {
    const line = lines[i] ?? '';
    const piece = previous !== -1 && i !== previous + 1 ? ['…', line] : [line];
    if (kept.length + piece.length > maxLines || chars + line.length > maxChars) break;
    kept.push(...piece);
    chars += line.length + 1;
    previous = i;
  }
  const shown = kept.filter((l) => l !== '…').length;
  return { text: kept.join('\n'), omittedLines: lines.length - shown };
}

export const DEFAULT_AUTO_FIX_ROUNDS = 3;

export type AutoFixStep =
  | { type: 'passed' }
  /** Inject `message` as the next user turn; `round` is the round it starts (1-based). */
  | { type: 'retry'; round: number; message: string }
  /** Round limit reached: stop looping and tell the user, with the last errors. */
  | { type: 'exhausted'; message: string };

export function formatBuildErrorsForTurn(result: BuildRunResult, round: number, maxRounds: number): string {
  const commandLine = [result.command.command, ...result.command.args].join(' ');
  const how = result.timedOut ? 'timed out' : `failed (exit code ${result.exitCode ?? 'none'})`;
  const omitted = result.omittedLines > 0 ? `\n(${result.omittedLines} other output lines left out)` : '';
  return [
    `The build check \`${commandLine}\` ${how} after your changes (auto-fix round ${round} of ${maxRounds}).`,
    'Fix these errors, then stop; the check runs again automatically.',
    '```',
    result.errors || '(no output)',
    `\`\`\`${omitted}`,
  ].join('\n');
}

/**
 * Call after the build check that follows a turn with write tools. `roundsDone` counts the
 * auto-fix turns already injected for this chain (0 after the user's own turn).
 */
export function nextAutoFixStep(
  result: BuildRunResult,
  roundsDone: number,
  maxRounds: number = DEFAULT_AUTO_FIX_ROUNDS,
): AutoFixStep {
  if (result.ok) return { type: 'passed' };
  if (roundsDone >= maxRounds) {
    const commandLine = [result.command.command, ...result.command.args].join(' ');
    return {
      type: 'exhausted',
      message: `The build check \`${commandLine}\` still fails after ${maxRounds} auto-fix rounds; stopping.\n\`\`\`\n${result.errors}\n\`\`\``,
    };
  }
  const round = roundsDone + 1;
  return { type: 'retry', round, message: formatBuildErrorsForTurn(result, round, maxRounds) };
}
