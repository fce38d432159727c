// One model call of a turn: the assistant message and span are written before the request goes out, text
// and reasoning stream into the message in batches, tool-call deltas are collected, and the span closes
// with usage, cost and cache shape. Failures before any output are retried when that is safe (429, 5xx).
import type * as Y from 'yjs';
import { appendMessageText, updateMessage } from '../doc/session.ts';
import type { ToolCall, Usage } from '../doc/session-schema.ts';
import { closeSpan, openSpan } from '../doc/spans.ts';
import type { AbortSignalLike, ChatRequest } from '../model/model-client.ts';
import { isModelError, ModelError } from '../model/model-error.ts';
import { segmentRequest } from '../model/prompt-segments.ts';
import { costOf } from '../model/providers.ts';
import { notReportedUsage } from '../model/usage.ts';
import type { AgentConfig, AgentDeps } from './engine-deps.ts';
import { capText, errorValue } from './span-values.ts';
import { TextBatcher } from './text-batcher.ts';
import { ToolCallAccumulator } from './tool-call-accumulator.ts';

export interface StepContext {
  deps: AgentDeps;
  config: Required<Pick<AgentConfig, 'maxRetries' | 'flushMs' | 'spanTextCap'>> & AgentConfig;
  signal: AbortSignalLike;
}

export type ModelStepResult =
  | { kind: 'ok'; toolCalls: ToolCall[] }
  | { kind: 'cancelled' }
  | { kind: 'error'; error: ModelError };

interface Streamed {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  usage: Usage;
  finishReason: string;
}

export async function runModelStep(
  ctx: StepContext,
  turn: number,
  messageId: string,
  request: ChatRequest,
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
      input: requestSummary(request, config.spanTextCap),
      segments,
    });
    updateMessage(deps.doc, messageId, { spanId });
    const progress = { outputStarted: false };
    try {
      const out = await streamInto(ctx, messageId, request, progress);
      finishOk(deps, config, spanId, messageId, out);
      return { kind: 'ok', toolCalls: out.toolCalls };
    } catch (e) {
      if (ctx.signal.aborted) {
        endMessage(deps.doc, spanId, messageId, deps.clock.now(), 'cancelled', {
          code: 'cancelled',
          message: 'Cancelled by the user.',
        });
        return { kind: 'cancelled' };
      }
      const err = isModelError(e) ? e : new ModelError('provider', errorValue(e).message);
      const retry = err.retryable && !progress.outputStarted && attempt < config.maxRetries;
      if (!retry) {
        endMessage(deps.doc, spanId, messageId, deps.clock.now(), 'error', { code: err.code, message: err.message });
        return { kind: 'error', error: err };
      }
      const waitMs = err.retryAfterMs ?? 1000 * 2 ** attempt;
      closeSpan(deps.doc, spanId, {
        status: 'error',
        endedAt: deps.clock.now(),
        error: { code: err.code, message: `${err.message} Retrying in ${Math.ceil(waitMs / 1000)} s.` },
      });
      await deps.clock.sleep(waitMs, ctx.signal);
      if (ctx.signal.aborted) {
        updateMessage(deps.doc, messageId, { status: 'cancelled' });
        return { kind: 'cancelled' };
      }
    }
  }
}

async function streamInto(
  ctx: StepContext,
  messageId: string,
  request: ChatRequest,
  progress: { outputStarted: boolean },
): Promise<Streamed> {
  const { deps, config } = ctx;
  const calls = new ToolCallAccumulator();
  const out = { text: '', reasoning: '', usage: notReportedUsage(), finishReason: 'stop' };
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
        progress.outputStarted = true;
        const field = ev.type === 'text-delta' ? 'text' : 'reasoning';
        out[field] += ev.text;
        batcher.push(field, ev.text);
      } else if (ev.type === 'tool-call-delta') {
        progress.outputStarted = true;
        calls.add(ev);
      } else if (ev.type === 'usage') out.usage = ev.usage;
      else out.finishReason = ev.reason;
    }
  } finally {
    // Whatever arrived is kept, also when the stream fails: the message shows what the user saw.
    batcher.close();
  }
  // A provider that sends no tool-call id gets one; it is stored with the message, so a resume reuses it.
  return { ...out, toolCalls: calls.finish(() => `call_${deps.newId('msg').slice(4)}`) };
}

function finishOk(deps: AgentDeps, config: StepContext['config'], spanId: string, messageId: string, out: Streamed) {
  const text = capText(out.text, config.spanTextCap);
  const reasoning = capText(out.reasoning, config.spanTextCap);
  const cost = costOf(out.usage, config.price);
  deps.doc.transact(() => {
    closeSpan(deps.doc, spanId, {
      status: 'ok',
      endedAt: deps.clock.now(),
      output: {
        text: text.text,
        reasoning: reasoning.text || undefined,
        toolCalls: out.toolCalls.length ? out.toolCalls : undefined,
        finishReason: out.finishReason,
      },
      outputTruncated: text.truncated || reasoning.truncated || undefined,
      usage: out.usage,
      cost,
    });
    updateMessage(deps.doc, messageId, {
      status: 'done',
      toolCalls: out.toolCalls.length ? out.toolCalls : undefined,
    });
  });
}

function endMessage(
  doc: Y.Doc,
  spanId: string,
  messageId: string,
  now: number,
  status: 'error' | 'cancelled',
  error: { code: string; message: string },
) {
  doc.transact(() => {
    closeSpan(doc, spanId, { status, endedAt: now, error });
    updateMessage(doc, messageId, { status, error });
  });
}

/** What the span keeps of the request: enough to read the call, bounded so spans stay small. */
function requestSummary(req: ChatRequest, cap: number): Record<string, unknown> {
  const last = req.messages[req.messages.length - 1];
  const lastText = last ? capText(summaryText(last.content), cap).text : '';
  return {
    model: req.model,
    messageCount: req.messages.length,
    tools: req.tools?.map((t) => t.function.name),
    last: last ? { role: last.role, content: lastText } : undefined,
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
