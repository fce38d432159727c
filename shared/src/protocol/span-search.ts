/**
 * Read APIs across every session, over the server's projection of spans: `GET /api/spans/search`
 * (filtered, newest first, paginated by an opaque cursor) and `GET /api/spans/stats` (the figures the
 * charts draw). One schema each end validates with; the types are inferred from them.
 */
import { z } from 'zod';
import { SpanKindSchema, SpanStatusSchema } from '../doc/session-schema.ts';

export const SPAN_SEARCH_DEFAULT_LIMIT = 50;
export const SPAN_SEARCH_MAX_LIMIT = 200;
/** Characters of context a hit's snippet carries around the matched text. */
export const SPAN_SNIPPET_CHARS = 200;

/** Milliseconds since the epoch, as a query-string value. */
const EpochMs = z.coerce
  .number({ message: 'must be a time in milliseconds since 1970' })
  .int('must be a whole number of milliseconds')
  .min(0, 'must not be before 1970')
  .max(8.64e15, 'is past the last representable date');

/** A time range; both ends inclusive, each optional. */
const TimeRange = {
  /** Spans that started at or after this time (ms since the epoch). */
  from: EpochMs.optional(),
  /** Spans that started at or before this time (ms since the epoch). */
  to: EpochMs.optional(),
};

const rangeInOrder = (q: { from?: number | undefined; to?: number | undefined }) =>
  q.from === undefined || q.to === undefined || q.from <= q.to;
const RANGE_MESSAGE = { message: '`from` must not be after `to`.', path: ['from'] };

/**
 * Query string of `GET /api/spans/search`. Filters combine with AND; absent ones match everything.
 * Unknown parameters are refused, so a misspelt filter is a 400, not a silent "match all".
 */
export const SpanSearchQuery = z
  .strictObject({
    /** Text found (case-insensitively) in the span's name, error, input or output. */
    q: z.string().trim().min(1, '`q` must not be blank').max(200, '`q` is longer than 200 characters').optional(),
    /** Exact span name: a tool's name (`read_file`) or a model call's (`chat`). */
    name: z.string().min(1).max(200).optional(),
    kind: SpanKindSchema.optional(),
    status: SpanStatusSchema.optional(),
    /** Exact model id, e.g. `deepseek-chat`. */
    model: z.string().min(1).max(200).optional(),
    ...TimeRange,
    /** `nextCursor` of the previous page; absent for the first. Opaque: do not build one. */
    cursor: z.string().min(1).max(512).optional(),
    limit: z.coerce.number().int().min(1).max(SPAN_SEARCH_MAX_LIMIT).default(SPAN_SEARCH_DEFAULT_LIMIT),
  })
  .refine(rangeInOrder, RANGE_MESSAGE);
export type SpanSearchQuery = z.infer<typeof SpanSearchQuery>;
/** What a client sends: any of the parameters (the server fills in the default limit). */
export type SpanSearchInput = Partial<SpanSearchQuery>;

/** One matching span: enough to list it and open its session at it, not its whole input and output. */
export const SpanSearchHit = z.object({
  sessionId: z.string(),
  spanId: z.string(),
  kind: SpanKindSchema,
  name: z.string(),
  status: SpanStatusSchema,
  turn: z.number(),
  startedAt: z.number(),
  latencyMs: z.number().nullable(),
  model: z.string().nullable(),
  cost: z.number().nullable(),
  errorCode: z.string().nullable(),
  /** Up to SPAN_SNIPPET_CHARS of the span's text, around the match when `q` was given. */
  snippet: z.string(),
});
export type SpanSearchHit = z.infer<typeof SpanSearchHit>;

/**
 * One page, newest first: ordered by (startedAt, sessionId, spanId) descending, a total order, so
 * following `nextCursor` until it is null yields every matching span exactly once.
 */
export const SpanSearchResponse = z.object({
  items: z.array(SpanSearchHit),
  nextCursor: z.string().nullable(),
});
export type SpanSearchResponse = z.infer<typeof SpanSearchResponse>;

/** Query string of `GET /api/spans/stats`: the time range the figures cover (all time when absent). */
export const SpanStatsQuery = z.strictObject({ ...TimeRange }).refine(rangeInOrder, RANGE_MESSAGE);
export type SpanStatsQuery = z.infer<typeof SpanStatsQuery>;

/** Days are UTC days, named by their first millisecond. */
export const SpanStatsResponse = z.object({
  /** Model calls' cost per day and model (models that reported no cost count as 0). */
  costByDay: z.array(z.object({ day: z.number(), model: z.string(), cost: z.number(), calls: z.number() })),
  /** Prompt tokens served from the provider's cache per day (calls whose provider said). */
  cacheByDay: z.array(z.object({ day: z.number(), hitTokens: z.number(), missTokens: z.number() })),
  /** Tools by mean latency of finished calls, slowest first (at most 10). */
  slowestTools: z.array(z.object({ name: z.string(), calls: z.number(), meanMs: z.number(), maxMs: z.number() })),
  /** Tools by failed calls (status `error`), most first (at most 10; tools that never failed left out). */
  failingTools: z.array(z.object({ name: z.string(), calls: z.number(), failures: z.number() })),
});
export type SpanStatsResponse = z.infer<typeof SpanStatsResponse>;

export const SPAN_SEARCH_ERROR_CODES = ['INVALID_QUERY', 'INVALID_CURSOR'] as const;
export type SpanSearchErrorCode = (typeof SPAN_SEARCH_ERROR_CODES)[number];
