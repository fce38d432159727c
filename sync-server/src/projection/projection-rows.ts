// The mapping between doc shapes (Span, Snapshot) and rows of tool_traces / agent_snapshots, both ways.
// A row object's keys are the column names; it is written as JSON through jsonb_to_recordset, so it
// must only hold values Postgres accepts (no NUL characters, no lone surrogates, integer counts).
import type { Snapshot, Span } from '@boocode/shared/doc/session-schema';

export const TRACE_COLUMNS = [
  ['session_id', 'text'],
  ['span_id', 'text'],
  ['turn', 'integer'],
  ['kind', 'text'],
  ['name', 'text'],
  ['parent_id', 'text'],
  ['message_id', 'text'],
  ['status', 'text'],
  ['started_at', 'double precision'],
  ['ended_at', 'double precision'],
  ['latency_ms', 'double precision'],
  ['model', 'text'],
  ['usage_reported', 'boolean'],
  ['prompt_tokens', 'integer'],
  ['completion_tokens', 'integer'],
  ['reasoning_tokens', 'integer'],
  ['cache_hit_tokens', 'integer'],
  ['cache_miss_tokens', 'integer'],
  ['cost', 'double precision'],
  ['error_code', 'text'],
  ['error_message', 'text'],
  ['input', 'jsonb'],
  ['output', 'jsonb'],
  ['output_truncated', 'boolean'],
  ['segments', 'jsonb'],
  ['read_only', 'boolean'],
  ['child_session_id', 'text'],
] as const;

export const SNAPSHOT_COLUMNS = [
  ['session_id', 'text'],
  ['turn', 'integer'],
  ['at', 'double precision'],
  ['started_at', 'double precision'],
  ['message_count', 'integer'],
  ['prompt_tokens', 'integer'],
  ['completion_tokens', 'integer'],
  ['reasoning_tokens', 'integer'],
  ['cache_hit_tokens', 'integer'],
  ['cache_miss_tokens', 'integer'],
  ['cost', 'double precision'],
  ['pending', 'jsonb'],
  ['outcome', 'text'],
  ['tools', 'jsonb'],
  ['first_message_id', 'text'],
] as const;

type Row = Record<string, unknown>;

/** A span as a row; undefined fields are left out (NULL). Call only with a span that passed SpanSchema. */
export function spanToRow(sessionId: string, span: Span): Row {
  const u = span.usage;
  return {
    session_id: sessionId,
    span_id: span.id,
    turn: span.turn,
    kind: span.kind,
    name: span.name,
    parent_id: span.parentId,
    message_id: span.messageId,
    status: span.status,
    started_at: span.startedAt,
    ended_at: span.endedAt,
    latency_ms: span.endedAt === undefined ? undefined : Math.max(0, span.endedAt - span.startedAt),
    model: span.model,
    usage_reported: u?.reported,
    prompt_tokens: count(u?.prompt),
    completion_tokens: count(u?.completion),
    reasoning_tokens: count(u?.reasoning),
    cache_hit_tokens: count(u?.cacheHit),
    cache_miss_tokens: count(u?.cacheMiss),
    cost: finite(span.cost),
    error_code: span.error?.code,
    error_message: span.error?.message,
    input: span.input,
    output: span.output,
    output_truncated: span.outputTruncated,
    segments: span.segments,
    read_only: span.readOnly,
    child_session_id: span.childSessionId,
  };
}

export function snapshotToRow(sessionId: string, snap: Snapshot): Row {
  return {
    session_id: sessionId,
    turn: snap.turn,
    at: snap.at,
    started_at: snap.startedAt,
    message_count: count(snap.messageCount) ?? 0,
    prompt_tokens: count(snap.usage.prompt) ?? 0,
    completion_tokens: count(snap.usage.completion) ?? 0,
    reasoning_tokens: count(snap.usage.reasoning) ?? 0,
    cache_hit_tokens: count(snap.usage.cacheHit) ?? 0,
    cache_miss_tokens: count(snap.usage.cacheMiss) ?? 0,
    cost: finite(snap.usage.cost) ?? 0,
    pending: snap.pending,
    outcome: snap.outcome,
    tools: snap.tools,
    first_message_id: snap.firstMessageId,
  };
}

/** The span a tool_traces row was projected from, with its session id. */
export function rowToSpan(row: Row): Span & { sessionId: string } {
  const span: Record<string, unknown> = {
    sessionId: row.session_id,
    id: row.span_id,
    parentId: row.parent_id,
    kind: row.kind,
    name: row.name,
    turn: row.turn,
    messageId: row.message_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    status: row.status,
    input: row.input,
    output: row.output,
    outputTruncated: row.output_truncated,
    error:
      row.error_code != null ? { code: row.error_code, message: (row.error_message as string | null) ?? '' } : null,
    model: row.model,
    usage:
      row.usage_reported != null
        ? {
            reported: row.usage_reported,
            prompt: row.prompt_tokens ?? 0,
            completion: row.completion_tokens ?? 0,
            reasoning: row.reasoning_tokens ?? 0,
            cacheHit: row.cache_hit_tokens,
            cacheMiss: row.cache_miss_tokens,
          }
        : null,
    cost: row.cost,
    segments: row.segments,
    readOnly: row.read_only,
    childSessionId: row.child_session_id,
  };
  return dropNulls(span) as Span & { sessionId: string };
}

export function rowToSnapshot(row: Row): Snapshot & { sessionId: string } {
  return dropNulls({
    sessionId: row.session_id,
    turn: row.turn,
    at: row.at,
    startedAt: row.started_at,
    messageCount: row.message_count,
    usage: {
      prompt: row.prompt_tokens,
      completion: row.completion_tokens,
      reasoning: row.reasoning_tokens,
      cacheHit: row.cache_hit_tokens,
      cacheMiss: row.cache_miss_tokens,
      cost: row.cost,
    },
    pending: row.pending,
    outcome: row.outcome,
    tools: row.tools,
    firstMessageId: row.first_message_id,
  }) as Snapshot & { sessionId: string };
}

/**
 * Serialises rows for a jsonb parameter. Postgres refuses NUL characters and lone surrogates in text and
 * jsonb, and one such string in a tool output would fail the whole batch, so they become U+FFFD.
 */
export function rowsToPostgresJson(rows: readonly Row[]): string {
  return JSON.stringify(rows.map(sanitizeForPostgres));
}

export function sanitizeForPostgres(value: unknown): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (Array.isArray(value)) return value.map(sanitizeForPostgres);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[cleanString(k)] = sanitizeForPostgres(v);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what Postgres refuses.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cleanString(s: string): string {
  return s.replace(UNSTORABLE, '\uFFFD');
}

/** Token counts go into integer columns: rounded, clamped, and NULL when absent or not a number. */
function count(n: number | undefined): number | undefined {
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.min(2_147_483_647, Math.max(0, Math.round(n)));
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function dropNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && k === 'usage' ? dropNulls(v as Row) : v;
  }
  return out;
}
