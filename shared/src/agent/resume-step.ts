// What a driver does first when it takes over a turn another driver left: every call that was in flight is
// closed as `interrupted` (a tool call that was only waiting for the user is marked as never started), and
// the trace says what became of a half-streamed answer. Also: answering, as declined, the interrupted calls a
// user leaves unanswered by starting a new turn, so the history the model reads stays valid.
import type * as Y from 'yjs';
import { appendMessage, getMessage, getRunState, listMessages, setRunState } from '../doc/session.ts';
import { closeSpan, listSpans } from '../doc/spans.ts';
import type { AgentDeps } from './engine-deps.ts';
import { nextAction } from './turn-state.ts';

export const RERUN_REASON =
  'It was running when its driver stopped (tab closed, reload or crash) and may already have taken effect. Run it again?';

export const DECLINED_TEXT =
  'Not re-run: this call was interrupted and the user declined to run it again. It may or may not have taken effect.';
export const DECLINED_ERROR = { code: 'declined', message: 'The user declined to re-run this interrupted tool call.' };

/** Closes the spans a dead driver left open, saying in the trace what each one means for the resume. */
export function closeInterruptedSpans(doc: Y.Doc, now: number): void {
  doc.transact(() => {
    for (const s of listSpans(doc)) {
      if (s.status === 'awaiting-approval') {
        closeSpan(doc, s.id, {
          status: 'interrupted',
          endedAt: now,
          error: {
            code: 'not-started',
            message: 'Its driver stopped while it waited for the user; it never ran and is asked again.',
          },
        });
      } else if (s.status === 'open' && s.kind === 'model') {
        const partial = s.messageId ? (getMessage(doc, s.messageId)?.text.length ?? 0) : 0;
        closeSpan(doc, s.id, {
          status: 'interrupted',
          endedAt: now,
          output: { partialChars: partial, kept: false },
          error: {
            code: 'interrupted',
            message: partial
              ? `Its driver stopped mid-answer (tab closed, reload or crash). The ${partial} characters streamed so far were dropped and the call was made again.`
              : 'Its driver stopped before the answer began (tab closed, reload or crash); the call was made again.',
          },
        });
      } else if (s.status === 'open') {
        closeSpan(doc, s.id, {
          status: 'interrupted',
          endedAt: now,
          error: { code: 'interrupted', message: 'The driver stopped (tab closed or crashed) while this was running.' },
        });
      }
    }
  });
}

/**
 * A new turn while interrupted calls still wait for "Run again?": they are answered as declined, in the turn
 * they belong to, before the new message, so every tool call in the history has its answer.
 */
export function declineWaitingReruns(doc: Y.Doc, deps: Pick<AgentDeps, 'clock' | 'newId'>): void {
  const pending = getRunState(doc).pendingApprovals ?? [];
  if (!pending.length) return;
  doc.transact(() => {
    const spans = listSpans(doc);
    for (const spanId of pending) {
      const span = spans.find((s) => s.id === spanId);
      if (!span?.toolCallId) continue;
      const action = nextAction(listMessages(doc), span.turn);
      if (action.kind !== 'tools' || !action.calls.some((c) => c.id === span.toolCallId)) continue;
      appendMessage(doc, {
        id: deps.newId('msg'),
        role: 'tool',
        turn: span.turn,
        createdAt: deps.clock.now(),
        toolCallId: span.toolCallId,
        text: DECLINED_TEXT,
        status: 'cancelled',
        error: DECLINED_ERROR,
      });
    }
    setRunState(doc, { pendingApprovals: undefined });
  });
}
