// Read APIs over the projection: `GET /api/chats/:id/traces` and `GET /api/chats/:id/snapshots`.
// Pages are keyed by (started_at, span_id), a total order, so following nextCursor never repeats or
// skips a span, even when many share a start time.
import {
  type SnapshotsResponse,
  type TracesErrorCode,
  TracesQuery,
  type TracesResponse,
} from '@boocode/shared/protocol/traces';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { rowToSnapshot, rowToSpan, TRACE_COLUMNS } from './projection-rows.ts';
import { migrateProjectionTables } from './projection-tables.ts';
import { type Authorize, authorizeHook } from './route-guard.ts';
import type { SqlQuery } from './sql-query.ts';

export interface TraceRoutesOptions {
  query: SqlQuery;
  /** Per-request check on top of the server's own; allows everything when absent. */
  authorize?: Authorize;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,120}$/;
/** The span's own columns (not search_text, a copy of its text kept for search across sessions). */
const SPAN_COLUMNS = TRACE_COLUMNS.map(([name]) => name).join(', ');

export function registerTraceRoutes(app: FastifyInstance, opts: TraceRoutesOptions) {
  const { query } = opts;
  return app.register(async (scope) => {
    await migrateProjectionTables(query);
    if (opts.authorize) scope.addHook('onRequest', authorizeHook(opts.authorize));

    scope.get<{ Params: { id: string } }>('/api/chats/:id/traces', async (request, reply) => {
      const sessionId = request.params.id;
      if (!SESSION_ID.test(sessionId)) return fail(reply, 400, 'INVALID_SESSION_ID', 'Not a session id.');
      const parsed = TracesQuery.safeParse(request.query);
      if (!parsed.success) return fail(reply, 400, 'INVALID_QUERY', parsed.error.issues[0]?.message ?? 'Bad query.');
      const q = parsed.data;
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (after === null) return fail(reply, 400, 'INVALID_CURSOR', 'The cursor is not one this server issued.');

      const params: unknown[] = [sessionId];
      const where = ['session_id = $1'];
      const add = (sql: (n: number) => string, value: unknown) => {
        params.push(value);
        where.push(sql(params.length));
      };
      if (q.kind) add((n) => `kind = $${n}`, q.kind);
      if (q.name) add((n) => `name = $${n}`, q.name);
      if (q.status) add((n) => `status = $${n}`, q.status);
      if (after) {
        params.push(after.startedAt, after.spanId);
        where.push(`(started_at, span_id) > ($${params.length - 1}::double precision, $${params.length}::text)`);
      }
      params.push(q.limit + 1);
      const res = await query(
        `SELECT ${SPAN_COLUMNS} FROM tool_traces WHERE ${where.join(' AND ')}
         ORDER BY started_at, span_id LIMIT $${params.length}`,
        params,
      );
      const rows = res.rows.slice(0, q.limit);
      const last = rows.at(-1);
      const body: TracesResponse = {
        items: rows.map(rowToSpan),
        nextCursor:
          res.rows.length > q.limit && last
            ? encodeCursor({ startedAt: last.started_at as number, spanId: last.span_id as string })
            : null,
      };
      return body;
    });

    scope.get<{ Params: { id: string } }>('/api/chats/:id/snapshots', async (request, reply) => {
      const sessionId = request.params.id;
      if (!SESSION_ID.test(sessionId)) return fail(reply, 400, 'INVALID_SESSION_ID', 'Not a session id.');
      const res = await query('SELECT * FROM agent_snapshots WHERE session_id = $1 ORDER BY turn', [sessionId]);
      const body: SnapshotsResponse = { items: res.rows.map(rowToSnapshot) };
      return body;
    });
  });
}

function fail(reply: FastifyReply, status: number, code: TracesErrorCode, message: string) {
  return reply.code(status).send({ code, message });
}

interface Cursor {
  startedAt: number;
  spanId: string;
}

// The cursor is the sort key of the last row served; JSON keeps a double exact, base64url keeps it opaque.
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.startedAt, c.spanId])).toString('base64url');
}

/** The position a cursor names, or null when it is not a well-formed cursor. */
export function decodeCursor(s: string): Cursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2) return null;
    const [startedAt, spanId] = v;
    if (typeof startedAt !== 'number' || !Number.isFinite(startedAt) || typeof spanId !== 'string') return null;
    return { startedAt, spanId };
  } catch {
    return null;
  }
}
