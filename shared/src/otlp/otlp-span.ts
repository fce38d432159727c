/**
 * One BooCode span as an OTLP/JSON span with the OpenTelemetry GenAI semantic conventions, and the ids
 * and times every OTLP span needs. Pure and deterministic: ids are hashes of BooCode ids, so exporting
 * twice gives the same trace. Where a span hangs in the tree is decided by spans-to-otlp.ts.
 */
import { digest } from 'lib0/hash/sha256';
import { encodeUtf8 } from 'lib0/string';
import type { Span } from '../doc/session-schema.ts';
import { type OtlpKeyValue, type OtlpSpan, OtlpSpanKind, OtlpStatusCode } from './otlp-trace-schema.ts';

export interface OtlpSpanOptions {
  /** `gen_ai.system` / `gen_ai.provider.name`, e.g. 'deepseek', 'openai'; `_OTHER` when unknown. */
  provider?: string | undefined;
  /** Model for model spans that do not name their own. */
  model?: string | undefined;
  /** End time given to spans still open (ms since the epoch); their start time when absent. */
  now?: number | undefined;
  /** Put span inputs and outputs (JSON, capped) into attributes. Off by default: they can hold secrets. */
  includeContent?: boolean | undefined;
  maxContentChars?: number | undefined;
}

const DEFAULT_MAX_CONTENT_CHARS = 16_384;

function hexOf(bytes: Uint8Array, chars: number): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  hex = hex.slice(0, chars);
  // An all-zero id means "no id" in OTLP; a hash prefix is that with probability 2^-64 at worst.
  return /[1-9a-f]/.test(hex) ? hex : `${hex.slice(0, -1)}1`;
}

export function otlpTraceId(sessionId: string): string {
  return hexOf(digest(encodeUtf8(`boocode.trace\u0000${sessionId}`)), 32);
}

/** Span ids are unique across sessions, so a child session's spans can point at a parent session's span. */
export function otlpSpanId(spanId: string): string {
  return hexOf(digest(encodeUtf8(`boocode.span\u0000${spanId}`)), 16);
}

/** The synthetic span that stands for a whole session (the root of its subtree). */
export function otlpSessionSpanId(sessionId: string): string {
  return hexOf(digest(encodeUtf8(`boocode.session\u0000${sessionId}`)), 16);
}

/** The synthetic span that stands for one turn of a session. */
export function otlpTurnSpanId(sessionId: string, turn: number): string {
  return hexOf(digest(encodeUtf8(`boocode.turn\u0000${sessionId}\u0000${turn}`)), 16);
}

/** When a span ends for the export: an open one at `now` (never before it started). */
export function spanEndMs(span: Span, now: number | undefined): number {
  const open = span.status === 'open' || span.endedAt === undefined;
  return open ? Math.max(span.startedAt, now ?? span.startedAt) : Math.max(span.startedAt, span.endedAt!);
}

/** Milliseconds (possibly fractional) to integer nanoseconds as a decimal string, without float overflow. */
export function msToUnixNano(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  let whole = Math.floor(ms);
  let frac = Math.round((ms - whole) * 1e6);
  if (frac >= 1e6) {
    whole += 1;
    frac -= 1e6;
  }
  return (BigInt(whole) * 1_000_000n + BigInt(frac)).toString();
}

function operationOf(span: Span): string | undefined {
  switch (span.kind) {
    case 'model':
      return 'chat';
    case 'tool':
    case 'autofix':
      return 'execute_tool';
    case 'subagent':
    case 'workflow-agent':
      return 'invoke_agent';
  }
}

export function toOtlpSpan(
  traceId: string,
  sessionId: string,
  span: Span,
  parentSpanId: string | undefined,
  meta: OtlpSpanOptions,
): OtlpSpan {
  const op = operationOf(span);
  const model = span.model ?? meta.model;
  const provider = meta.provider ?? '_OTHER';
  const attrs: OtlpKeyValue[] = [];
  const add = (kv: OtlpKeyValue | undefined) => {
    if (kv) attrs.push(kv);
  };

  if (op) add(str('gen_ai.operation.name', op));
  add(str('gen_ai.system', provider));
  add(str('gen_ai.provider.name', provider));
  add(str('gen_ai.conversation.id', sessionId));
  add(str('session.id', sessionId));
  if (span.kind === 'model' && model) add(str('gen_ai.request.model', model));
  if (span.kind === 'tool' || span.kind === 'autofix') {
    add(str('gen_ai.tool.name', span.name));
    add(str('gen_ai.tool.call.id', span.id));
    add(str('gen_ai.tool.type', 'function'));
  }
  if ((span.kind === 'subagent' || span.kind === 'workflow-agent') && span.name) {
    add(str('gen_ai.agent.name', span.name));
  }
  const u = span.usage;
  if (u?.reported) {
    add(int('gen_ai.usage.input_tokens', u.prompt));
    add(int('gen_ai.usage.output_tokens', u.completion));
    add(int('boocode.usage.reasoning_tokens', u.reasoning));
    if (u.cacheHit !== undefined) {
      add(int('gen_ai.usage.cache_read.input_tokens', u.cacheHit));
      add(int('boocode.cache.hit_tokens', u.cacheHit));
    }
    if (u.cacheMiss !== undefined) add(int('boocode.cache.miss_tokens', u.cacheMiss));
  }
  if (span.cost !== undefined && Number.isFinite(span.cost))
    add({ key: 'boocode.cost', value: { doubleValue: span.cost } });
  if (span.error) add(str('error.type', span.error.code));
  add(str('boocode.span.id', span.id));
  add(str('boocode.span.kind', span.kind));
  add(str('boocode.span.status', span.status));
  add(int('boocode.turn', span.turn));
  if (span.messageId) add(str('boocode.message.id', span.messageId));
  if (span.childSessionId) add(str('boocode.child_session.id', span.childSessionId));
  if (span.outputTruncated) add({ key: 'boocode.output.truncated', value: { boolValue: true } });
  if (meta.includeContent) {
    const max = meta.maxContentChars ?? DEFAULT_MAX_CONTENT_CHARS;
    const isTool = span.kind === 'tool' || span.kind === 'autofix';
    if (span.input !== undefined)
      add(str(isTool ? 'gen_ai.tool.call.arguments' : 'boocode.input', capped(span.input, max)));
    if (span.output !== undefined)
      add(str(isTool ? 'gen_ai.tool.call.result' : 'boocode.output', capped(span.output, max)));
  }

  const out: OtlpSpan = {
    traceId,
    spanId: otlpSpanId(span.id),
    ...(parentSpanId ? { parentSpanId } : {}),
    name: spanName(span, op, model),
    kind: span.kind === 'model' ? OtlpSpanKind.CLIENT : OtlpSpanKind.INTERNAL,
    startTimeUnixNano: msToUnixNano(span.startedAt),
    endTimeUnixNano: msToUnixNano(spanEndMs(span, meta.now)),
    attributes: attrs,
    status: statusOf(span),
  };
  return out;
}

/** GenAI convention: `{operation} {model or tool or agent}`. */
function spanName(span: Span, op: string | undefined, model: string | undefined): string {
  if (span.kind === 'model') return model ? `chat ${model}` : 'chat';
  if (op) return `${op} ${span.name}`.trim();
  return span.name || span.kind;
}

function statusOf(span: Span): OtlpSpan['status'] {
  switch (span.status) {
    case 'ok':
      return { code: OtlpStatusCode.OK };
    case 'error':
      return { code: OtlpStatusCode.ERROR, message: span.error?.message ?? 'error' };
    case 'interrupted':
      return { code: OtlpStatusCode.ERROR, message: span.error?.message ?? 'interrupted' };
    default:
      // open and cancelled: neither a success nor a failure of the operation.
      return { code: OtlpStatusCode.UNSET };
  }
}

export function str(key: string, value: string): OtlpKeyValue {
  return { key, value: { stringValue: value } };
}

export function int(key: string, n: number): OtlpKeyValue | undefined {
  if (!Number.isFinite(n)) return undefined;
  return { key, value: { intValue: String(Math.round(n)) } };
}

function capped(value: unknown, max: number): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return s.length > max ? `${s.slice(0, max)}… [${s.length - max} more chars]` : s;
}
