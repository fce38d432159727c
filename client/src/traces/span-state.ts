// The state a span row shows, finer than its status where the status misleads: a build check that never ran
// is "skipped", not "failed"; a check or a command that ran out of time is "timed out", not failed or ok.
import { autofixErrorKind } from '@boocode/shared/agent/auto-fix';
import type { Span } from '@boocode/shared/doc/session-schema';
import { STATUS_LABEL } from './span-format.ts';

export type SpanState = Span['status'] | 'skipped' | 'timed-out';

export const STATE_LABEL: Record<SpanState, string> = { ...STATUS_LABEL, skipped: 'skipped', 'timed-out': 'timed out' };

export function spanState(span: Span): SpanState {
  if (span.kind === 'autofix' && span.status === 'error') {
    const kind = autofixErrorKind(span);
    return kind === 'failed' ? 'error' : kind;
  }
  if (span.kind === 'tool' && span.name === 'run_command' && span.status === 'ok' && commandTimedOut(span.output))
    return 'timed-out';
  return span.status;
}

/** The span keeps the runner's result as JSON text (cut at the span cap: a cut one is read as not timed out). */
function commandTimedOut(output: unknown): boolean {
  if (typeof output !== 'string') return false;
  try {
    return (JSON.parse(output) as { timedOut?: unknown }).timedOut === true;
  } catch {
    return false;
  }
}
