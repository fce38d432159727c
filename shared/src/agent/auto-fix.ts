// The auto-fix loop, engine side: after a turn in which a non-read-only tool ran successfully, the workspace's
// build check runs as an `autofix` span; a failure becomes the next turn (a user message carrying the trimmed
// errors) until the check passes or the round limit is reached. Everything it decides from is in the doc (the
// span links the message it injected), so a resume after a crash counts rounds the same way.

import { appendMessage, listMessages, setRunState } from '../doc/session.ts';
import type { Span } from '../doc/session-schema.ts';
import { closeSpan, listSpans, openSpan, updateSpan } from '../doc/spans.ts';
import type { AbortSignalLike } from '../model/model-client.ts';
import { type BuildRunResult, buildRunResultSchema, nextAutoFixStep } from '../runner/build-check.ts';
import type { StepContext } from './model-step.ts';
import { capText, errorValue } from './span-values.ts';

/** What one build check came to: a result from the runner, or why it could not run (approval, no command…). */
export type AutoFixCheck =
  | { kind: 'ran'; result: BuildRunResult }
  | { kind: 'skipped'; error: { code: string; message: string } };

/** The injected dependency (AgentDeps.autoFix): how to run the workspace's build check, and how often to retry. */
export interface AutoFix {
  /** Injected fix-up turns before the loop gives up (the default is DEFAULT_AUTO_FIX_ROUNDS). */
  maxRounds: number;
  /**
   * Runs the build check once; must stop promptly when `signal` aborts. It must never wait for a person: when
   * the check needs approval it answers `skipped` (the turn ends with a notice). Throwing counts as skipped.
   */
  run(signal: AbortSignalLike): Promise<AutoFixCheck>;
  /**
   * Whether the workspace has a check at all (asked before the span opens): false ends the turn quietly, with
   * no span and no notice, so a workspace without a build script is not told so after every edit.
   */
  available?(signal: AbortSignalLike): Promise<boolean>;
}

export type AutoFixOutcome =
  /** Nothing to check (no write succeeded in the turn, or this turn was already checked). */
  | { kind: 'none' }
  | { kind: 'passed' | 'skipped' | 'exhausted' }
  | { kind: 'cancelled' }
  /** The errors were injected as the first message of `turn`; the engine runs that turn next. */
  | { kind: 'retry'; turn: number };

export const AUTOFIX_SPAN_NAME = 'build';

/**
 * Reads the runner's answer to `POST /build/run` (status and parsed JSON body). A refusal (APPROVAL_REQUIRED,
 * DENIED_BY_RULE, NO_BUILD_COMMAND…) is a skip, not a wait: the loop never blocks on a person.
 */
export function autoFixCheckFromRunnerResponse(status: number, body: unknown): AutoFixCheck {
  if (status === 200) {
    const parsed = buildRunResultSchema.safeParse(body);
    if (parsed.success) return { kind: 'ran', result: parsed.data };
    return {
      kind: 'skipped',
      error: { code: 'BAD_RUNNER_RESPONSE', message: 'The runner sent a build result of an unknown shape.' },
    };
  }
  const e = body as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : `HTTP_${status}`;
  const message = typeof e?.message === 'string' ? e.message : `The runner answered ${status}.`;
  return { kind: 'skipped', error: { code, message } };
}

function autofixSpans(spans: Span[], turn: number): Span[] {
  return spans.filter((s) => s.kind === 'autofix' && s.turn === turn);
}

/** True when `turn` changed something (a non-read-only tool succeeded) and has not been checked yet. */
export function needsAutoFixCheck(spans: Span[], turn: number): boolean {
  const wrote = spans.some((s) => s.kind === 'tool' && s.turn === turn && s.readOnly === false && s.status === 'ok');
  // An interrupted check (the driver died mid-build) runs again; a finished or cancelled one does not.
  const checked = autofixSpans(spans, turn).some((s) => s.status !== 'interrupted' && s.status !== 'open');
  return wrote && !checked;
}

/** Auto-fix rounds already injected in the chain that ends with `turn` (0 when the user started it). */
export function autoFixRoundsDone(ctx: StepContext, turn: number, spans: Span[]): number {
  const first = listMessages(ctx.deps.doc).find((m) => m.turn === turn);
  const injectedBy = first ? spans.find((s) => s.kind === 'autofix' && s.messageId === first.id) : undefined;
  if (!injectedBy) return 0;
  const round = (injectedBy.input as { round?: unknown } | undefined)?.round;
  return (typeof round === 'number' ? round : 0) + 1;
}

/**
 * Runs the check after `turn` when it is due. `finishTurn` writes the turn's snapshot; on a retry it runs in
 * the same transaction as the span's close and the injected message, so a crash leaves all of it or none.
 */
export async function runAutoFixCheck(
  ctx: StepContext,
  turn: number,
  autoFix: AutoFix,
  finishTurn: () => void,
): Promise<AutoFixOutcome> {
  const { doc, clock, newId } = ctx.deps;
  const spans = listSpans(doc);
  if (!needsAutoFixCheck(spans, turn)) return { kind: 'none' };
  // If asking fails, run anyway: the check's own failure (runner unreachable…) then reaches the user as a notice.
  const available = autoFix.available ? await autoFix.available(ctx.signal).catch(() => true) : true;
  if (ctx.signal.aborted) return { kind: 'cancelled' };
  if (!available) return { kind: 'none' };
  const round = autoFixRoundsDone(ctx, turn, spans);
  const spanId = newId('spn');
  // `round` is the number of fix-up turns before this check: 0 is the check after the user's own turn.
  openSpan(doc, {
    id: spanId,
    kind: 'autofix',
    name: AUTOFIX_SPAN_NAME,
    turn,
    startedAt: clock.now(),
    input: { round },
  });

  const check = await runCheck(autoFix, ctx.signal);
  const endedAt = clock.now();
  if (ctx.signal.aborted) {
    closeSpan(doc, spanId, {
      status: 'cancelled',
      endedAt,
      error: { code: 'cancelled', message: 'Cancelled by the user.' },
    });
    return { kind: 'cancelled' };
  }
  if (check.kind === 'skipped') {
    doc.transact(() => {
      closeSpan(doc, spanId, { status: 'error', endedAt, error: check.error });
      appendNotice(ctx, turn, `Auto-fix skipped: the build check did not run (${check.error.message})`);
    });
    return { kind: 'skipped' };
  }

  const { result } = check;
  const commandLine = [result.command.command, ...result.command.args].join(' ');
  const errors = capText(result.errors, ctx.config.spanTextCap);
  const close = () =>
    closeSpan(doc, spanId, {
      status: result.ok ? 'ok' : 'error',
      endedAt,
      input: { command: commandLine, round },
      output: {
        ok: result.ok,
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
        errors: errors.text,
        omittedLines: result.omittedLines,
      },
      outputTruncated: errors.truncated || undefined,
      error: result.ok ? undefined : buildError(result),
    });
  const step = nextAutoFixStep(result, round, autoFix.maxRounds);
  if (step.type === 'passed') {
    close();
    return { kind: 'passed' };
  }
  if (step.type === 'exhausted') {
    doc.transact(() => {
      close();
      appendNotice(ctx, turn, step.message);
    });
    return { kind: 'exhausted' };
  }
  const next = turn + 1;
  doc.transact(() => {
    close();
    finishTurn();
    const messageId = appendMessage(doc, {
      id: newId('msg'),
      role: 'user',
      turn: next,
      createdAt: clock.now(),
      text: step.message,
    });
    updateSpan(doc, spanId, { messageId });
    setRunState(doc, { turn: next, status: 'running' });
  });
  return { kind: 'retry', turn: next };
}

async function runCheck(autoFix: AutoFix, signal: AbortSignalLike): Promise<AutoFixCheck> {
  try {
    // A check that ignores the signal must not hold the turn: on cancel the span closes now.
    return await Promise.race([autoFix.run(signal), aborted(signal)]);
  } catch (e) {
    return { kind: 'skipped', error: errorValue(e, 'AUTOFIX_FAILED') };
  }
}

function aborted(signal: AbortSignalLike): Promise<AutoFixCheck> {
  return new Promise((resolve) => {
    const done = () => resolve({ kind: 'skipped', error: { code: 'cancelled', message: 'Cancelled by the user.' } });
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}

const BUILD_TIMED_OUT = 'BUILD_TIMED_OUT';
const BUILD_FAILED = 'BUILD_FAILED';

function buildError(result: BuildRunResult): { code: string; message: string } {
  if (result.timedOut) return { code: BUILD_TIMED_OUT, message: 'The build check timed out.' };
  return { code: BUILD_FAILED, message: `The build check failed (exit code ${result.exitCode ?? 'none'}).` };
}

/**
 * How a closed build-check span with status `error` ended: the check ran and failed, ran out of time, or never
 * ran at all (skipped: approval needed, no command, runner away) — which is not a failure of the code.
 */
export function autofixErrorKind(span: Span): 'failed' | 'timed-out' | 'skipped' {
  if (span.error?.code === BUILD_TIMED_OUT) return 'timed-out';
  return span.error?.code === BUILD_FAILED ? 'failed' : 'skipped';
}

function appendNotice(ctx: StepContext, turn: number, text: string): void {
  const { doc, clock, newId } = ctx.deps;
  appendMessage(doc, { id: newId('msg'), role: 'notice', turn, createdAt: clock.now(), text });
}
