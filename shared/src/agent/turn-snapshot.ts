// The snapshot written at every turn boundary: message count, session usage totals, pending work, and the
// turn's outcome, tools and first message, which the timeline and the `agent_snapshots` projection read.
import type * as Y from 'yjs';
import { listMessages } from '../doc/session.ts';
import { emptyUsageTotals, type Snapshot, type UsageTotals } from '../doc/session-schema.ts';
import { listSpans } from '../doc/spans.ts';

export function usageTotals(doc: Y.Doc): UsageTotals {
  const t = emptyUsageTotals();
  for (const s of listSpans(doc)) {
    if (s.kind !== 'model' || !s.usage?.reported) continue;
    t.prompt += s.usage.prompt;
    t.completion += s.usage.completion;
    t.reasoning += s.usage.reasoning;
    t.cacheHit += s.usage.cacheHit ?? 0;
    t.cacheMiss += s.usage.cacheMiss ?? 0;
    t.cost += s.cost ?? 0;
  }
  return t;
}

export function buildSnapshot(
  doc: Y.Doc,
  turn: number,
  at: number,
  outcome: Snapshot['outcome'],
  pending: string[],
): Snapshot {
  const messages = listMessages(doc);
  const ofTurn = messages.filter((m) => m.turn === turn);
  const tools = [
    ...new Set(
      listSpans(doc)
        .filter((s) => s.kind === 'tool' && s.turn === turn)
        .map((s) => s.name),
    ),
  ];
  return {
    turn,
    at,
    messageCount: messages.length,
    usage: usageTotals(doc),
    pending,
    outcome,
    startedAt: ofTurn[0]?.createdAt,
    tools,
    firstMessageId: ofTurn[0]?.id,
  };
}
