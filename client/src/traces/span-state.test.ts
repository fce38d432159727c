import type { Span } from '@boocode/shared/doc/session-schema';
import { describe, expect, it } from 'vitest';
import { STATE_LABEL, spanState } from './span-state.ts';

const span = (patch: Partial<Span>): Span => ({
  id: 'spn_1',
  kind: 'autofix',
  name: 'build',
  turn: 1,
  startedAt: 0,
  status: 'error',
  ...patch,
});

describe('spanState', () => {
  it('shows a build check that never ran as skipped, a slow one as timed out, a failing one as failed', () => {
    const label = (p: Partial<Span>) => STATE_LABEL[spanState(span(p))];
    expect(label({ error: { code: 'APPROVAL_REQUIRED', message: 'needs approval' } })).toBe('skipped');
    expect(label({ error: { code: 'BUILD_TIMED_OUT', message: 'timed out' } })).toBe('timed out');
    expect(label({ error: { code: 'BUILD_FAILED', message: 'exit 1' } })).toBe('failed');
  });
  it('shows a command that hit its timeout as timed out, though the call itself succeeded', () => {
    const output = JSON.stringify({ exitCode: null, stdout: '', timedOut: true });
    expect(spanState(span({ kind: 'tool', name: 'run_command', status: 'ok', output }))).toBe('timed-out');
    expect(spanState(span({ kind: 'tool', name: 'run_command', status: 'ok', output: '{"cut' }))).toBe('ok');
  });
});
