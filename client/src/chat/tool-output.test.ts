// The tool card's reading of a result: the whole result from the tool message (not the span's 8 KB cut),
// a command's real end state, and file changes as diffs.
import type { Message, Span, ToolCall } from '@boocode/shared/doc/session-schema';
import type { RunCommandResult } from '@boocode/shared/runner/tool-contracts';
import { describe, expect, it } from 'vitest';
import { commandResult, commandStateLabel, fileChange, formatBytes, toolResultValue } from './tool-output.ts';

const result = (patch: Partial<RunCommandResult> = {}): RunCommandResult => ({
  exitCode: 0,
  signal: null,
  stdout: 'hi\n',
  stderr: '',
  truncated: false,
  droppedBytes: 0,
  timedOut: false,
  cancelled: false,
  durationMs: 12,
  timeoutMs: 30000,
  ...patch,
});
const span = (patch: Partial<Span>): Span => ({
  id: 'spn_1',
  kind: 'tool',
  name: 'run_command',
  turn: 1,
  startedAt: 0,
  status: 'ok',
  ...patch,
});
const message = (text: string): Message =>
  ({ id: 'msg_1', role: 'tool', turn: 1, createdAt: 0, text, status: 'done', toolCallId: 'c1' }) as Message;
const call = (name: string, args: unknown): ToolCall => ({ id: 'c1', name, arguments: JSON.stringify(args) });

describe('toolResultValue', () => {
  it('reads the whole result from the tool message when the span holds only the first 8 KB', () => {
    const full = JSON.stringify(
      result({ stdout: 'x'.repeat(20_000), truncated: true, droppedBytes: 3_000_000 }),
      null,
      2,
    );
    const cut = span({ output: full.slice(0, 8000), outputTruncated: true });
    const r = commandResult(toolResultValue(cut, message(full)));
    expect(r).toMatchObject({ truncated: true, droppedBytes: 3_000_000 });
  });
  it('falls back to the span when there is no tool message yet, and shows nothing parsed while running', () => {
    expect(commandResult(toolResultValue(span({ output: JSON.stringify(result()) }), undefined))).toBeDefined();
    expect(toolResultValue(span({ status: 'open', output: 'live text' }), undefined)).toBeUndefined();
  });
});

describe('commandStateLabel', () => {
  it('names a timeout, a cancel, a kill and a non-zero exit apart from success', () => {
    expect(commandStateLabel(result({ timedOut: true, exitCode: null, signal: 'SIGKILL' }))).toBe('timed out');
    expect(commandStateLabel(result({ cancelled: true, exitCode: null }))).toBe('cancelled');
    expect(commandStateLabel(result({ exitCode: null, signal: 'SIGSEGV' }))).toBe('killed (SIGSEGV)');
    expect(commandStateLabel(result({ exitCode: 2 }))).toBe('exit 2');
    expect(commandStateLabel(result())).toBe('exit 0');
  });
});

describe('formatBytes', () => {
  it('says sizes as a person reads them', () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(2.9 * 1024 * 1024)]).toEqual([
      '512 B',
      '2.0 KB',
      '2.9 MB',
    ]);
  });
});

describe('fileChange', () => {
  it('draws an edit from its old and new text', () => {
    const d = fileChange(
      call('edit_file', { path: 'a.ts', oldText: 'const a = 1;', newText: 'const a = 2;' }),
      undefined,
    );
    expect(d?.text).toContain('-const a = 1;\n+const a = 2;');
  });
  it('draws an overwrite from the runner diff, and a new file as all additions', () => {
    const over = fileChange(call('write_file', { path: 'a', content: 'B' }), {
      path: 'a',
      bytesWritten: 1,
      created: false,
      diff: '@@ -1 +1 @@\n-A\n+B',
    });
    expect(over).toMatchObject({ added: 1, removed: 1, truncated: false });
    const fresh = fileChange(call('write_file', { path: 'n', content: 'x\ny\n' }), {
      path: 'n',
      bytesWritten: 4,
      created: true,
    });
    expect(fresh).toMatchObject({ added: 2, removed: 0, created: true });
  });
  it('has nothing to draw for other tools', () => {
    expect(fileChange(call('read_file', { path: 'a' }), {})).toBeUndefined();
  });
});
