// One model call of a turn: the assistant message and span are written before the request goes out, text
// and reasoning stream into the message in batches, tool-call deltas are collected, and the span closes
// with usage, cost and cache shape (also when the call fails: usage seen before a cut is kept). Failures
// before any output are retried when that is safe (429, 5xx, network), waiting what the provider asks
// (Retry-After) up to a cap, with "retrying in 7 s" on the message; a partial answer is marked incomplete.
import {
  appendMessageText,
  clearMessageIncomplete,
  markMessageIncomplete,
  replaceMessageText,
  updateMessage,
} from '../doc/session.ts';
import type { IncompleteReason, OutputSpec, ToolCall, Usage } from '../doc/session-schema.ts';
import { closeSpan, openSpan } from '../doc/spans.ts';
import type { AbortSignalLike, ChatRequest } from '../model/model-client.ts';
import { isModelError, ModelError, waitWords } from '../model/model-error.ts';
import { segmentRequest } from '../model/prompt-segments.ts';
import { costOf } from '../model/providers.ts';
import { notReportedUsage } from '../model/usage.ts';
import type { HistoryNote } from './chat-request.ts';
import type { AgentConfig, AgentDeps } from './engine-deps.ts';
import { capText, errorValue } from './span-values.ts';
import { isAbandoned } from './stop-signal.ts';
import { answerOfRespondCall, RESPOND_TOOL } from './structured-request.ts';
import { TextBatcher } from './text-batcher.ts';
import { ToolCallAccumulator } from './tool-call-accumulator.ts';

export interface StepContext {
  deps: AgentDeps;
  config: Required<Pick<AgentConfig, 'maxRetries' | 'maxRetryWaitMs' | 'flushMs' | 'spanTextCap'>> & AgentConfig;
  signal: AbortSignalLike;
}

export type ModelStepResult =
  | { kind: 'ok'; toolCalls: ToolCall[] }
  | { kind: 'cancelled' }
  /** The driver let go mid-call (page unloading, lease lost): nothing written, the span stays open. */
  | { kind: 'abandoned' }
  | { kind: 'error'; error: ModelError };

/** What one call produced, whole or (when it failed) as far as it got. */
interface Streamed {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  usage: Usage;
  finishReason: string;
  requestId?: string;
  outputStarted: boolean;
}

/** What the request carries besides itself: the turn's schema and what became of partial answers. */
export interface StepExtras {
  output?: OutputSpec;
  history?: HistoryNote[];
}

export async function runModelStep(
  ctx: StepContext,
  turn: number,
  messageId: string,
  request: ChatRequest,
  extras: StepExtras = {},
): Promise<ModelStepResult> {
  const { deps, config } = ctx;
  const segments = await segmentRequest(request);
  for (let attempt = 0; ; attempt++) {
    const spanId = deps.newId('spn');
    openSpan(deps.doc, {
      id: spanId,
      kind: 'model',
      name: request.model,
      model: request.model,
      turn,
      messageId,
      startedAt: deps.clock.now(),
      input: requestSummary(request, config.spanTextCap, extras.history),
      segments,
    });
    updateMessage(deps.doc, messageId, { spanId });
    const out = emptyStreamed();
    try {
      await streamInto(ctx, messageId, request, out, extras.output !== undefined);
      finishOk(ctx, spanId, messageId, out, extras.output);
      return { kind: 'ok', toolCalls: out.toolCalls };
    } catch (e) {
      if (isAbandoned(ctx.signal)) return { kind: 'abandoned' };
      if (ctx.signal.aborted) {
        endFailed(ctx, spanId, messageId, out, 'cancelled', { code: 'cancelled', message: 'Cancelled by the user.' });
        return { kind: 'cancelled' };
      }
      const err = isModelError(e) ? e : new ModelError('provider', errorValue(e).message);
      const retry = err.retryable && !out.outputStarted && attempt < config.maxRetries;
      if (!retry) {
        endFailed(ctx, spanId, messageId, out, 'error', { code: err.code, message: err.message });
        return { kind: 'error', error: err };
      }
      const waitMs = err.retryAfterMs ?? 1000 * 2 ** attempt;
      if (waitMs > config.maxRetryWaitMs) {
        const message = `${err.message} That is longer than the ${waitWords(config.maxRetryWaitMs)} this app waits on its own, so it stopped: send again later.`;
        endFailed(ctx, spanId, messageId, out, 'error', { code: err.code, message });
        return {
          kind: 'error',
          error: new ModelError(err.code, message, { status: err.status, retryAfterMs: waitMs }),
        };
      }
      const waited = await waitToRetry(ctx, spanId, messageId, err, waitMs, attempt);
      if (waited === 'abandoned') return { kind: 'abandoned' };
      if (waited === 'cancelled') return { kind: 'cancelled' };
    }
  }
}

/** Closes the failed try's span, shows the wait on the message, sleeps; says whether to go on. */
async function waitToRetry(
  ctx: StepContext,
  spanId: string,
  messageId: string,
  err: ModelError,
  waitMs: number,
  attempt: number,
): Promise<'go' | 'cancelled' | 'abandoned'> {
  const { deps, config } = ctx;
  const now = deps.clock.now();
  deps.doc.transact(() => {
    closeSpan(deps.doc, spanId, {
      status: 'error',
      endedAt: now,
      error: { code: err.code, message: `${err.message} Retrying in ${waitWords(waitMs)}.` },
    });
    updateMessage(deps.doc, messageId, {
      retry: { until: now + waitMs, waitMs, attempt: attempt + 2, of: config.maxRetries + 1, reason: err.message },
    });
  });
  await deps.clock.sleep(waitMs, ctx.signal);
  // The driver let go during the wait: the next one retries; nothing more is written here.
  if (isAbandoned(ctx.signal)) return 'abandoned';
  if (!ctx.signal.aborted) {
    updateMessage(deps.doc, messageId, { retry: undefined });
    return 'go';
  }
  updateMessage(deps.doc, messageId, {
    retry: undefined,
    status: 'cancelled',
    error: { code: 'cancelled', message: 'Cancelled while waiting to retry.' },
  });
  return 'cancelled';
}

function emptyStreamed(): Streamed {
  return {
    text: '',
    reasoning: '',
    toolCalls: [],
    usage: notReportedUsage(),
    finishReason: 'stop',
    outputStarted: false,
  };
}

/**
 * Streams into the message and into `out`, which keeps what arrived when the stream fails. In a structured
 * turn the arguments of a `respond` call are the answer, so they stream into the message text as they come.
 */
async function streamInto(
  ctx: StepContext,
  messageId: string,
  request: ChatRequest,
  out: Streamed,
  structured: boolean,
): Promise<void> {
  const { deps, config } = ctx;
  const calls = new ToolCallAccumulator();
  let respondIndex: number | undefined;
  const batcher = new TextBatcher(deps.clock, config.flushMs, (text, reasoning) => {
    deps.doc.transact(() => {
      appendMessageText(deps.doc, messageId, text, 'text');
      appendMessageText(deps.doc, messageId, reasoning, 'reasoning');
    });
  });
  try {
    for await (const ev of deps.model.stream(request, { signal: ctx.signal })) {
      if (ctx.signal.aborted) throw new ModelError('aborted', 'Cancelled.');
      if (ev.type === 'text-delta' || ev.type === 'reasoning-delta') {
        out.outputStarted = true;
        const field = ev.type === 'text-delta' ? 'text' : 'reasoning';
        out[field] += ev.text;
        batcher.push(field, ev.text);
      } else if (ev.type === 'tool-call-delta') {
        out.outputStarted = true;
        calls.add(ev);
        if (structured && ev.name === RESPOND_TOOL) respondIndex = ev.index;
        if (ev.index === respondIndex && ev.argumentsDelta) batcher.push('text', ev.argumentsDelta);
      } else if (ev.type === 'usage') out.usage = ev.usage;
      else if (ev.type === 'response') out.requestId = ev.requestId;
      else out.finishReason = ev.reason;
    }
  } finally {
    // Whatever arrived is kept, also when the stream fails: the message shows what the user saw. A driver that
    // let go writes nothing more: the message is the next driver's to re-stream.
    if (isAbandoned(ctx.signal)) batcher.discard();
    else batcher.close();
  }
  // A provider that sends no tool-call id gets one; it is stored with the message, so a resume reuses it.
  out.toolCalls = calls.finish(() => `call_${deps.newId('msg').slice(4)}`);
}

function finishOk(ctx: StepContext, spanId: string, messageId: string, out: Streamed, output: OutputSpec | undefined) {
  const { deps, config } = ctx;
  // A structured answer that came as a `respond` call is the answer's text; the call itself is not run.
  const respond = output ? out.toolCalls.find((c) => c.name === RESPOND_TOOL) : undefined;
  const toolCalls = respond ? [] : out.toolCalls;
  const answer = respond && output ? answerOfRespondCall(respond.arguments, output) : undefined;
  const text = capText(answer ?? out.text, config.spanTextCap);
  const reasoning = capText(out.reasoning, config.spanTextCap);
  deps.doc.transact(() => {
    closeSpan(deps.doc, spanId, {
      status: 'ok',
      endedAt: deps.clock.now(),
      output: {
        text: text.text,
        reasoning: reasoning.text || undefined,
        toolCalls: out.toolCalls.length ? out.toolCalls : undefined,
        finishReason: out.finishReason,
        requestId: out.requestId,
      },
      outputTruncated: text.truncated || reasoning.truncated || undefined,
      usage: out.usage,
      cost: costOf(out.usage, config.price),
    });
    if (answer !== undefined) replaceMessageText(deps.doc, messageId, answer);
    updateMessage(deps.doc, messageId, { status: 'done', toolCalls: toolCalls.length ? toolCalls : undefined });
    // The model stopped at its output limit: the answer is partial and the next request says so.
    if (out.finishReason === 'length')
      markMessageIncomplete(deps.doc, messageId, { reason: 'length', at: deps.clock.now() });
    else clearMessageIncomplete(deps.doc, messageId);
  });
}

/** Closes a failed or cancelled call: its span keeps the usage and output seen so far; a partial answer is marked. */
function endFailed(
  ctx: StepContext,
  spanId: string,
  messageId: string,
  out: Streamed,
  status: 'error' | 'cancelled',
  error: { code: string; message: string },
) {
  const { deps, config } = ctx;
  const now = deps.clock.now();
  const reason: IncompleteReason = status === 'cancelled' ? 'cancelled' : 'cut';
  deps.doc.transact(() => {
    closeSpan(deps.doc, spanId, {
      status,
      endedAt: now,
      error,
      ...(out.outputStarted
        ? { output: { text: capText(out.text, config.spanTextCap).text, partial: true, requestId: out.requestId } }
        : {}),
      ...(out.usage.reported ? { usage: out.usage, cost: costOf(out.usage, config.price) } : {}),
    });
    updateMessage(deps.doc, messageId, { status, error, retry: undefined });
    if (out.outputStarted)
      markMessageIncomplete(deps.doc, messageId, {
        reason,
        at: now,
        ...(status === 'error' ? { detail: error.message } : {}),
      });
  });
}

/** What the span keeps of the request: enough to read the call, bounded so spans stay small. */
function requestSummary(req: ChatRequest, cap: number, history: HistoryNote[] | undefined): Record<string, unknown> {
  const last = req.messages[req.messages.length - 1];
  const lastText = last ? capText(summaryText(last.content), cap).text : '';
  return {
    model: req.model,
    messageCount: req.messages.length,
    tools: req.tools?.map((t) => t.function.name),
    last: last ? { role: last.role, content: lastText } : undefined,
    ...(req.responseFormat ? { responseFormat: req.responseFormat.type } : {}),
    ...(req.toolChoice ? { toolChoice: req.toolChoice } : {}),
    // Partial answers of the history: sent marked as incomplete, or left out (and why).
    ...(history?.length ? { incomplete: history } : {}),
  };
}

/** A message's text for the span; image parts are counted, never copied (a data URI would bloat the doc). */
function summaryText(content: ChatRequest['messages'][number]['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  const text = content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
  const images = content.filter((p) => p.type === 'image_url').length;
  return images ? `${text}\n[${images} image${images > 1 ? 's' : ''} attached]` : text;
}
