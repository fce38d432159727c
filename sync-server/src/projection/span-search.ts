// Search and figures across every session's spans, in SQL over tool_traces. Pages are keyed by
// (started_at, session_id, span_id) descending, a total order across sessions, so following the cursor
// never repeats or skips a span even when many share a start time.
import type {
  SpanSearchHit,
  SpanSearchQuery,
  SpanSearchResponse,
  SpanStatsQuery,
  SpanStatsResponse,
} from '@boocode/shared/protocol/span-search';
import { SPAN_SNIPPET_CHARS } from '@boocode/shared/protocol/span-search';
import { SEARCHABLE_TEXT } from './projection-tables.ts';
import type { SqlQuery } from './sql-query.ts';

/**
 * Everything `q` is looked for in; `search_text` holds it lower-cased (a generated column, see
 * projection-tables.ts). jsonb::text keeps strings JSON-escaped, which is fine for finding words.
 */
const SEARCHABLE = `(${SEARCHABLE_TEXT})`;
const DAY_MS = 86_400_000;

export interface SearchCursor {
  startedAt: number;
  sessionId: string;
  spanId: string;
}

/** Runs one page of a search whose query has been validated. `after` is the decoded cursor, if any. */
export async function searchSpans(
  query: SqlQuery,
  q: SpanSearchQuery,
  after: SearchCursor | undefined,
): Promise<SpanSearchResponse> {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // strpos on lower(): a substring match with no pattern syntax, so `%` or `_` in the text mean themselves.
  let text: string | undefined;
  if (q.q !== undefined) {
    text = param(q.q.toLowerCase());
    where.push(`strpos(search_text, ${text}::text) > 0`);
  }
  if (q.name !== undefined) where.push(`name = ${param(q.name)}::text`);
  if (q.kind !== undefined) where.push(`kind = ${param(q.kind)}::text`);
  if (q.status !== undefined) where.push(`status = ${param(q.status)}::text`);
  if (q.model !== undefined) where.push(`model = ${param(q.model)}::text`);
  where.push(...timeRange(q, param));
  if (after) {
    const [a, b, c] = [param(after.startedAt), param(after.sessionId), param(after.spanId)];
    where.push(`(started_at, session_id, span_id) < (${a}::double precision, ${b}::text, ${c}::text)`);
  }
  // The snippet starts a little before the match, so the matched text is shown with its context.
  const snippet = text
    ? `substr(${SEARCHABLE}, greatest(1, strpos(search_text, ${text}::text) - 60), ${SPAN_SNIPPET_CHARS})`
    : `left(coalesce(error_message, input::text, output::text, ''), ${SPAN_SNIPPET_CHARS})`;
  const limit = param(q.limit + 1);
  const res = await query<HitRow>(
    `SELECT session_id, span_id, kind, name, status, turn, started_at, latency_ms, model, cost, error_code,
            ${snippet} AS snippet
       FROM tool_traces
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, session_id DESC, span_id DESC
      LIMIT ${limit}`,
    params,
  );
  const rows = res.rows.slice(0, q.limit);
  const last = rows.at(-1);
  return {
    items: rows.map(rowToHit),
    nextCursor:
      res.rows.length > q.limit && last
        ? encodeSearchCursor({ startedAt: last.started_at, sessionId: last.session_id, spanId: last.span_id })
        : null,
  };
}

/** The figures the charts draw, over the spans that started in the range. */
export async function spanStats(query: SqlQuery, q: SpanStatsQuery): Promise<SpanStatsResponse> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const range = timeRange(q, param);
  const and = (conds: string[]) => [...conds, ...range].join(' AND ');
  const day = `(floor(started_at / ${DAY_MS}) * ${DAY_MS})::double precision`;
  // Sums and counts come back as bigint/numeric, which pg hands over as strings: cast to double.
  const [cost, cache, slow, failing] = await Promise.all([
    query<{ day: number; model: string; cost: number; calls: number }>(
      `SELECT ${day} AS day, coalesce(model, 'unknown') AS model,
              coalesce(sum(cost), 0)::double precision AS cost, count(*)::double precision AS calls
         FROM tool_traces WHERE ${and(["kind = 'model'"])}
        GROUP BY 1, 2 ORDER BY 1, 2`,
      params,
    ),
    query<{ day: number; hit_tokens: number; miss_tokens: number }>(
      `SELECT ${day} AS day, sum(cache_hit_tokens)::double precision AS hit_tokens,
              sum(coalesce(cache_miss_tokens, 0))::double precision AS miss_tokens
         FROM tool_traces WHERE ${and(["kind = 'model'", 'cache_hit_tokens IS NOT NULL'])}
        GROUP BY 1 ORDER BY 1`,
      params,
    ),
    query<{ name: string; calls: number; mean_ms: number; max_ms: number }>(
      `SELECT name, count(*)::double precision AS calls, avg(latency_ms)::double precision AS mean_ms,
              max(latency_ms)::double precision AS max_ms
         FROM tool_traces WHERE ${and(["kind = 'tool'", 'latency_ms IS NOT NULL'])}
        GROUP BY name ORDER BY mean_ms DESC, name LIMIT 10`,
      params,
    ),
    query<{ name: string; calls: number; failures: number }>(
      `SELECT name, count(*)::double precision AS calls,
              (count(*) FILTER (WHERE status = 'error'))::double precision AS failures
         FROM tool_traces WHERE ${and(["kind = 'tool'"])}
        GROUP BY name HAVING count(*) FILTER (WHERE status = 'error') > 0
        ORDER BY failures DESC, name LIMIT 10`,
      params,
    ),
  ]);
  return {
    costByDay: cost.rows.map((r) => ({ day: r.day, model: r.model, cost: r.cost, calls: r.calls })),
    cacheByDay: cache.rows.map((r) => ({ day: r.day, hitTokens: r.hit_tokens, missTokens: r.miss_tokens })),
    slowestTools: slow.rows.map((r) => ({ name: r.name, calls: r.calls, meanMs: r.mean_ms, maxMs: r.max_ms })),
    failingTools: failing.rows.map((r) => ({ name: r.name, calls: r.calls, failures: r.failures })),
  };
}

function timeRange(q: { from?: number | undefined; to?: number | undefined }, param: (v: unknown) => string) {
  const conds: string[] = [];
  if (q.from !== undefined) conds.push(`started_at >= ${param(q.from)}::double precision`);
  if (q.to !== undefined) conds.push(`started_at <= ${param(q.to)}::double precision`);
  return conds;
}

interface HitRow {
  session_id: string;
  span_id: string;
  kind: SpanSearchHit['kind'];
  name: string;
  status: SpanSearchHit['status'];
  turn: number;
  started_at: number;
  latency_ms: number | null;
  model: string | null;
  cost: number | null;
  error_code: string | null;
  snippet: string | null;
}

function rowToHit(r: HitRow): SpanSearchHit {
  return {
    sessionId: r.session_id,
    spanId: r.span_id,
    kind: r.kind,
    name: r.name,
    status: r.status,
    turn: r.turn,
    startedAt: r.started_at,
    latencyMs: r.latency_ms,
    model: r.model,
    cost: r.cost,
    errorCode: r.error_code,
    snippet: r.snippet ?? '',
  };
}

// The cursor is the sort key of the last row served; JSON keeps a double exact, base64url keeps it opaque.
export function encodeSearchCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify([c.startedAt, c.sessionId, c.spanId])).toString('base64url');
}

/** The position a cursor names, or null when it is not one this server issued. */
export function decodeSearchCursor(s: string): SearchCursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 3) return null;
    const [startedAt, sessionId, spanId] = v;
    if (typeof startedAt !== 'number' || !Number.isFinite(startedAt)) return null;
    if (typeof sessionId !== 'string' || typeof spanId !== 'string') return null;
    return { startedAt, sessionId, spanId };
  } catch {
    return null;
  }
}
