// One tool call: its span is written (with whether it is read-only) before the executor starts, and the
// span's close and the tool message that carries the result to the model are one transaction, so a crash
// can never leave a result without its span or a closed span without its result.
import { appendMessage } from '../doc/session.ts';
import type { ApprovalAnswer, MessageStatus, ToolCall } from '../doc/session-schema.ts';
import { closeSpan, openSpan } from '../doc/spans.ts';
import { waitForApproval } from './approval-step.ts';
import type { ToolDefinition, ToolResult } from './engine-deps.ts';
import type { StepContext } from './model-step.ts';
import { capText, errorValue, parseArguments } from './span-values.ts';
import { isAbandoned } from './stop-signal.ts';

/** `abandoned`: the driver let go mid-call (page unloading, lease lost); the span stays open for the next one. */
export type ToolStepOutcome = 'ok' | 'error' | 'cancelled' | 'abandoned';

export interface ToolRunOptions {
  /** The user already approved this very call (re-running one a crash interrupted). */
  approved?: boolean;
  /** An answer the user gave this call before its driver stopped, used instead of asking again. */
  earlierAnswer?: ApprovalAnswer;
}

export function isReadOnlyTool(defs: ToolDefinition[], name: string): boolean {
  return defs.find((d) => d.name === name)?.readOnly ?? false;
}

export async function runToolCall(
  ctx: StepContext,
  turn: number,
  assistantMessageId: string,
  call: ToolCall,
  opts: ToolRunOptions = {},
): Promise<ToolStepOutcome> {
  const { deps, config } = ctx;
  const defs = deps.tools?.definitions() ?? [];
  const def = defs.find((d) => d.name === call.name);
  const spanId = deps.newId('spn');
  const parsed = parseArguments(call.arguments);
  openSpan(deps.doc, {
    id: spanId,
    kind: 'tool',
    name: call.name,
    turn,
    messageId: assistantMessageId,
    toolCallId: call.id,
    startedAt: deps.clock.now(),
    input: parsed.ok ? parsed.value : capText(call.arguments, config.spanTextCap).text,
    readOnly: def?.readOnly ?? false,
  });

  let result: ToolResult;
  if (!parsed.ok) result = { ok: false, error: { code: 'INVALID_ARGUMENTS', message: parsed.message } };
  else if (!def || !deps.tools)
    result = { ok: false, error: { code: 'UNKNOWN_TOOL', message: `There is no tool named "${call.name}".` } };
  else {
    try {
      const running = deps.tools.execute(
        { id: call.id, name: call.name, args: parsed.value, rawArguments: call.arguments },
        {
          signal: ctx.signal,
          spanId,
          approved: opts.approved ?? false,
          askApproval: (request) => waitForApproval(ctx, spanId, request, opts.earlierAnswer),
        },
      );
      // A tool that ignores the signal must not hold the turn: on cancel the span closes now.
      result = await Promise.race([running, abortedResult(ctx.signal)]);
    } catch (e) {
      result = { ok: false, error: errorValue(e, 'TOOL_FAILED') };
    }
  }
  // Let go without a word: whatever the call did, the next driver finds its span open and decides.
  if (isAbandoned(ctx.signal)) return 'abandoned';
  const cancelled = ctx.signal.aborted;
  const outcome: ToolStepOutcome = cancelled ? 'cancelled' : result.ok ? 'ok' : 'error';
  const error = cancelled
    ? { code: 'cancelled', message: 'Cancelled by the user.' }
    : result.ok
      ? undefined
      : result.error;
  const output = result.ok ? result.output : (result.output ?? '');
  const forModel = error ? `Error (${error.code}): ${error.message}${output ? `\n${output}` : ''}` : output;
  const capped = capText(output, config.spanTextCap);
  deps.doc.transact(() => {
    closeSpan(deps.doc, spanId, {
      status: outcome,
      endedAt: deps.clock.now(),
      output: capped.text,
      outputTruncated: capped.truncated || undefined,
      error,
    });
    appendToolMessage(ctx, turn, call.id, forModel, outcome === 'ok' ? 'done' : outcome, error, spanId);
  });
  return outcome;
}

function abortedResult(signal: StepContext['signal']): Promise<ToolResult> {
  return new Promise((resolve) => {
    const done = () => resolve({ ok: false, error: { code: 'cancelled', message: 'Cancelled by the user.' } });
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}

/** A tool message that answers a call without running it (cancelled before it started, or declined). */
export function appendToolMessage(
  ctx: StepContext,
  turn: number,
  toolCallId: string,
  text: string,
  status: MessageStatus,
  error?: { code: string; message: string },
  spanId?: string,
): void {
  const { deps } = ctx;
  appendMessage(deps.doc, {
    id: deps.newId('msg'),
    role: 'tool',
    turn,
    createdAt: deps.clock.now(),
    toolCallId,
    text,
    status,
    error,
    spanId,
  });
}
