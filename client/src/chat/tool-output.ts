// What a tool card shows, read from the call, its span and its tool message: the runner's result parsed
// with the shared schemas (from the tool message, which holds it whole; the span's copy is cut at 8 KB and
// loses `truncated` and `droppedBytes` at its end), the state a command really ended in (a timeout is not
// "done"), and the diff of a file change.
import type { Message, Span, ToolCall } from '@boocode/shared/doc/session-schema';
import { type FileDiff, fileDiff } from '@boocode/shared/runner/file-diff';
import {
  editFileInputSchema,
  type RunCommandResult,
  runCommandResultSchema,
  writeFileInputSchema,
  writeFileOutputSchema,
} from '@boocode/shared/runner/tool-contracts';

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The tool's result value: the whole one from the tool message when it parses, else the span's, else none. */
export function toolResultValue(span: Span | undefined, result: Message | undefined): unknown {
  const fromMessage = result?.status === 'done' ? parseJson(result.text) : undefined;
  if (fromMessage !== undefined) return fromMessage;
  if (span?.status === 'open') return undefined;
  return typeof span?.output === 'string' ? parseJson(span.output) : span?.output;
}

export function commandResult(value: unknown): RunCommandResult | undefined {
  const parsed = runCommandResultSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** How a finished command ended, in the card's words: its own state and colour for each. */
export type CommandState = 'ok' | 'exit' | 'timed-out' | 'cancelled' | 'killed';

export function commandState(r: RunCommandResult): CommandState {
  if (r.timedOut) return 'timed-out';
  if (r.cancelled) return 'cancelled';
  if (r.exitCode === null) return 'killed';
  return r.exitCode === 0 ? 'ok' : 'exit';
}

export function commandStateLabel(r: RunCommandResult): string {
  switch (commandState(r)) {
    case 'timed-out':
      return 'timed out';
    case 'cancelled':
      return 'cancelled';
    case 'killed':
      return r.signal ? `killed (${r.signal})` : 'killed';
    case 'exit':
      return `exit ${r.exitCode}`;
    default:
      return 'exit 0';
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function parseArgs(call: ToolCall): unknown {
  return parseJson(call.arguments);
}

/**
 * The change a write_file or edit_file call made: edit_file from its own arguments (old and new text),
 * write_file from the diff the runner returned (a new file is all additions). Undefined for other tools
 * or when there is nothing to show.
 */
export function fileChange(call: ToolCall, value: unknown): (FileDiff & { created?: boolean }) | undefined {
  if (call.name === 'edit_file') {
    const args = editFileInputSchema.safeParse(parseArgs(call));
    // A snippet's last line has no newline of its own: end both alike so no "No newline" marker shows.
    return args.success ? fileDiff(`${args.data.oldText}\n`, `${args.data.newText}\n`) : undefined;
  }
  if (call.name !== 'write_file') return undefined;
  const out = writeFileOutputSchema.safeParse(value);
  if (!out.success) return undefined;
  if (out.data.created) {
    const args = writeFileInputSchema.safeParse(parseArgs(call));
    return args.success ? { ...fileDiff('', args.data.content), created: true } : undefined;
  }
  if (out.data.diff === undefined) return undefined;
  const lines = out.data.diff.split('\n');
  return {
    text: out.data.diff,
    truncated: out.data.diffTruncated ?? false,
    added: lines.filter((l) => l.startsWith('+')).length,
    removed: lines.filter((l) => l.startsWith('-')).length,
  };
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}
