// A tool call's question to the user, asked and answered in the doc: the span turns `awaiting-approval`
// with the question, any tab on any device writes the answer (doc/spans.ts answerSpanApproval), and the
// driver holding the session's lease, which waits here, goes on. A driver that dies while waiting leaves
// the question in the doc; the next driver asks it again, or uses an answer given meanwhile.
import type { ApprovalAnswer } from '../doc/session-schema.ts';
import { askSpanApproval, getSpan, observeSpans, updateSpan } from '../doc/spans.ts';
import type { ApprovalRequest } from './engine-deps.ts';
import type { StepContext } from './model-step.ts';
import { isAbandoned } from './stop-signal.ts';

/**
 * Waits for the user's answer to `request` on the call's span. `earlier` is an answer the user gave to the
 * same call before its driver stopped (it is used without asking again). Resolves 'deny' when the turn is
 * cancelled meanwhile (the caller checks the signal).
 */
export function waitForApproval(
  ctx: StepContext,
  spanId: string,
  request: ApprovalRequest,
  earlier?: ApprovalAnswer,
): Promise<ApprovalAnswer> {
  const { doc, clock } = ctx.deps;
  if (earlier) return Promise.resolve(earlier);
  askSpanApproval(doc, spanId, {
    kind: 'ask',
    reason: request.reason,
    canAlwaysAllow: request.canAlwaysAllow,
    ...(request.danger ? { danger: request.danger } : {}),
    askedAt: clock.now(),
  });
  return new Promise((resolve) => {
    const answered = () => getSpan(doc, spanId)?.approval?.answer;
    const finish = (answer: ApprovalAnswer) => {
      off();
      ctx.signal.removeEventListener('abort', onAbort);
      // Running starts now: the span is open again (waiting and running are told apart by approval.answeredAt).
      if (!isAbandoned(ctx.signal) && getSpan(doc, spanId)?.status === 'awaiting-approval')
        updateSpan(doc, spanId, { status: 'open' });
      resolve(answer);
    };
    const onAbort = () => finish('deny');
    const off = observeSpans(doc, (ids) => {
      const answer = ids.includes(spanId) ? answered() : undefined;
      if (answer) finish(answer);
    });
    if (ctx.signal.aborted) return finish('deny');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}
