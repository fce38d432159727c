// A session's projected spans as OTLP/JSON, read from tool_traces: lets a script or a future route
// export a session without loading its doc. The conversion itself is the shared, isomorphic one.
import type { Span } from '@boocode/shared/doc/session-schema';
import { type OtlpExportMeta, spansToOtlp } from '@boocode/shared/otlp/spans-to-otlp';
import { rowToSpan } from '../projection/projection-rows.ts';
import { migrateProjectionTables } from '../projection/projection-tables.ts';
import type { SqlQuery } from '../projection/sql-query.ts';

export async function exportSessionOtlp(query: SqlQuery, sessionId: string, meta: OtlpExportMeta = {}) {
  await migrateProjectionTables(query);
  const res = await query('SELECT * FROM tool_traces WHERE session_id = $1 ORDER BY started_at, span_id', [sessionId]);
  const spans: Span[] = res.rows.map((r) => {
    const { sessionId: _session, ...span } = rowToSpan(r);
    return span;
  });
  return spansToOtlp(sessionId, spans, meta);
}
