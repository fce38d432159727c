/**
 * Read APIs over the server's projection of session docs: `GET /api/chats/:id/traces` (spans, paginated
 * by an opaque cursor) and `GET /api/chats/:id/snapshots` (turn-boundary snapshots). Types inferred.
 */
import { z } from 'zod';
import { SnapshotSchema, SpanKindSchema, SpanSchema, SpanStatusSchema } from '../doc/session-schema.ts';

export const TRACES_DEFAULT_LIMIT = 100;
export const TRACES_MAX_LIMIT = 1000;

/** Query string of `GET /api/chats/:id/traces`. Filters are exact matches and combine with AND. */
export const TracesQuery = z.object({
  /** `nextCursor` of the previous page; absent for the first page. Opaque: do not build one. */
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(TRACES_MAX_LIMIT).default(TRACES_DEFAULT_LIMIT),
  kind: SpanKindSchema.optional(),
  /** Tool or span name, e.g. `read_file`. */
  name: z.string().min(1).max(200).optional(),
  status: SpanStatusSchema.optional(),
});
export type TracesQuery = z.infer<typeof TracesQuery>;

/** A span as projected, with the session it belongs to. */
export const TraceItem = SpanSchema.extend({ sessionId: z.string() });
export type TraceItem = z.infer<typeof TraceItem>;

/**
 * One page, ordered by (startedAt, id). Following `nextCursor` until it is null yields every span that
 * existed throughout, exactly once, even when spans share a start time.
 */
export const TracesResponse = z.object({
  items: z.array(TraceItem),
  nextCursor: z.string().nullable(),
});
export type TracesResponse = z.infer<typeof TracesResponse>;

export const SnapshotItem = SnapshotSchema.extend({ sessionId: z.string() });
export type SnapshotItem = z.infer<typeof SnapshotItem>;

/** Every snapshot of the session, one per turn, ordered by turn. */
export const SnapshotsResponse = z.object({ items: z.array(SnapshotItem) });
export type SnapshotsResponse = z.infer<typeof SnapshotsResponse>;

export const TRACES_ERROR_CODES = ['INVALID_QUERY', 'INVALID_CURSOR', 'INVALID_SESSION_ID'] as const;
export type TracesErrorCode = (typeof TRACES_ERROR_CODES)[number];
