// A session's projected spans, and those of every session it started (subagents, workflow agents), as one
// OTLP/JSON trace tree read from tool_traces: lets a script or a route export without loading docs. The
// conversion itself is the shared, isomorphic one. Children are found by the spans naming them
// (child_session_id); the projection has no session meta, so a subagent still running (no subagent span
// yet) is not found here, while the doc-based export (collectOtlpSessions) finds it by its record.
import type { Span } from '@boocode/shared/doc/session-schema';
import { type OtlpExportMeta, type OtlpSession, sessionsToOtlp } from '@boocode/shared/otlp/spans-to-otlp';
import { rowToSpan } from '../projection/projection-rows.ts';
import { migrateProjectionTables } from '../projection/projection-tables.ts';
import type { SqlQuery } from '../projection/sql-query.ts';

const MAX_SESSIONS = 500;

export async function exportSessionOtlp(query: SqlQuery, sessionId: string, meta: OtlpExportMeta = {}) {
  await migrateProjectionTables(query);
  const sessions: OtlpSession[] = [];
  const seen = new Set([sessionId]);
  const queue = [sessionId];
  while (queue.length > 0 && sessions.length < MAX_SESSIONS) {
    const id = queue.shift()!;
    const res = await query('SELECT * FROM tool_traces WHERE session_id = $1 ORDER BY started_at, span_id', [id]);
    const spans: Span[] = res.rows.map((r) => {
      const { sessionId: _session, ...span } = rowToSpan(r);
      return span;
    });
    sessions.push(
      id === sessionId ? { id, spans, title: meta.title, provider: meta.provider, model: meta.model } : { id, spans },
    );
    for (const span of spans) {
      const child = span.childSessionId;
      if (child && !seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return sessionsToOtlp(sessions, meta);
}
