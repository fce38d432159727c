/**
 * A session and every session it started (subagents, workflow agents, theirs in turn), read from their
 * docs for one OTLP export. Children are found from the parent's spans (`childSessionId`) and subagent
 * records (a subagent still running has a record but no subagent span yet). Each doc is released after
 * it is read; a cycle or a runaway tree stops at a session already read or at `maxSessions`.
 */
import type * as Y from 'yjs';
import { listSubagentRecords } from '../agent/subagents/subagent-records.ts';
import { getSessionMeta } from '../doc/session.ts';
import { listSpans } from '../doc/spans.ts';
import type { OtlpSession } from './spans-to-otlp.ts';

export interface SessionDocHandle {
  readonly doc: Y.Doc;
  readonly whenLoaded: Promise<unknown>;
  release(): void;
}

export const MAX_EXPORT_SESSIONS = 500;

/** Breadth first from `sessionId`, so the lead comes first, as sessionsToOtlp wants it. */
export async function collectOtlpSessions(
  openSession: (sessionId: string) => SessionDocHandle,
  sessionId: string,
  maxSessions = MAX_EXPORT_SESSIONS,
): Promise<OtlpSession[]> {
  const out: OtlpSession[] = [];
  const seen = new Set<string>([sessionId]);
  const queue = [sessionId];
  while (queue.length > 0 && out.length < maxSessions) {
    const id = queue.shift()!;
    const handle = openSession(id);
    try {
      await handle.whenLoaded;
      const meta = getSessionMeta(handle.doc);
      const spans = listSpans(handle.doc);
      out.push({
        id,
        spans,
        title: meta?.title,
        provider: meta?.provider,
        model: meta?.model,
        parentId: meta?.parentId,
        parentSpanId: meta?.parentSpanId,
      });
      const children = [
        ...spans.flatMap((s) => (s.childSessionId ? [s.childSessionId] : [])),
        ...listSubagentRecords(handle.doc).map((r) => r.id),
      ];
      for (const child of children) {
        if (seen.has(child)) continue;
        seen.add(child);
        queue.push(child);
      }
    } finally {
      handle.release();
    }
  }
  return out;
}
