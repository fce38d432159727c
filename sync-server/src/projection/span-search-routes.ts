// `GET /api/spans/search` and `GET /api/spans/stats`: spans across every session, from the projection.
// Like every route of the server they need the token: the access wall checks it on the matched route
// (no `access: 'public'` here), and `authorize`, when given, is checked on top.
import { type SpanSearchErrorCode, SpanSearchQuery, SpanStatsQuery } from '@boocode/shared/protocol/span-search';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { migrateProjectionTables } from './projection-tables.ts';
import { type Authorize, authorizeHook } from './route-guard.ts';
import { decodeSearchCursor, searchSpans, spanStats } from './span-search.ts';
import type { SqlQuery } from './sql-query.ts';

export interface SpanSearchRoutesOptions {
  query: SqlQuery;
  /** Per-request check on top of the server's own; allows everything when absent. */
  authorize?: Authorize;
}

export function registerSpanSearchRoutes(app: FastifyInstance, opts: SpanSearchRoutesOptions) {
  const { query } = opts;
  return app.register(async (scope) => {
    await migrateProjectionTables(query);
    if (opts.authorize) scope.addHook('onRequest', authorizeHook(opts.authorize));

    scope.get('/api/spans/search', async (request, reply) => {
      const parsed = SpanSearchQuery.safeParse(request.query);
      if (!parsed.success) return fail(reply, 'INVALID_QUERY', describe(parsed.error));
      const q = parsed.data;
      const after = q.cursor === undefined ? undefined : decodeSearchCursor(q.cursor);
      if (after === null) return fail(reply, 'INVALID_CURSOR', 'The cursor is not one this server issued.');
      return searchSpans(query, q, after);
    });

    scope.get('/api/spans/stats', async (request, reply) => {
      const parsed = SpanStatsQuery.safeParse(request.query);
      if (!parsed.success) return fail(reply, 'INVALID_QUERY', describe(parsed.error));
      return spanStats(query, parsed.data);
    });
  });
}

function fail(reply: FastifyReply, code: SpanSearchErrorCode, message: string) {
  return reply.code(400).send({ code, message });
}

type QueryIssue = NonNullable<ReturnType<typeof SpanSearchQuery.safeParse>['error']>['issues'][number];

/** The first problem, naming the parameter: "`limit`: Too big: expected number to be <=200". */
function describe(error: { issues: readonly QueryIssue[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'Bad query.';
  if (issue.code === 'unrecognized_keys')
    return `Unknown parameter(s): ${issue.keys.map((k) => `\`${k}\``).join(', ')}.`;
  const where = issue.path.length ? `\`${issue.path.join('.')}\`: ` : '';
  return `${where}${issue.message}`;
}
