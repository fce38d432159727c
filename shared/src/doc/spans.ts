// Spans (one per model call and per tool call) and turn-boundary snapshots of a session doc.
// A span is written when it starts and closed when it ends, so a crash leaves an open span that says
// exactly what was interrupted.
import type * as Y from 'yjs';
import type { ApprovalAnswer, Snapshot, Span, SpanApproval, SpanStatus } from './session-schema.ts';

const SPANS = 'spans';
const SNAPSHOTS = 'snapshots';

function spansMap(doc: Y.Doc): Y.Map<Span> {
  return doc.getMap<Span>(SPANS);
}

export function openSpan(doc: Y.Doc, span: Omit<Span, 'status'> & { status?: SpanStatus }): Span {
  const full = stripUndefined({ ...span, status: span.status ?? 'open' }) as Span;
  spansMap(doc).set(full.id, full);
  return full;
}

export function updateSpan(doc: Y.Doc, id: string, patch: Partial<Omit<Span, 'id'>>): Span {
  const map = spansMap(doc);
  const cur = map.get(id);
  if (!cur) throw new Error(`updateSpan: no span ${id}`);
  const next = stripUndefined({ ...cur, ...patch, id }) as Span;
  map.set(id, next);
  return next;
}

export function closeSpan(
  doc: Y.Doc,
  id: string,
  end: { status: Exclude<SpanStatus, 'open'>; endedAt: number } & Partial<Omit<Span, 'id' | 'status' | 'endedAt'>>,
): Span {
  return updateSpan(doc, id, end);
}

export function getSpan(doc: Y.Doc, id: string): Span | undefined {
  return spansMap(doc).get(id);
}

/** All spans ordered by start time (ties by id, which also sorts by time). */
export function listSpans(doc: Y.Doc): Span[] {
  return [...spansMap(doc).values()].sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
}

export function listOpenSpans(doc: Y.Doc): Span[] {
  return listSpans(doc).filter((s) => s.status === 'open');
}

/** Tool calls waiting for the user's answer: before they run (`ask`) or to run again after a crash (`rerun`). */
export function listAwaitingApprovals(doc: Y.Doc): Span[] {
  return listSpans(doc).filter(
    (s) =>
      s.approval &&
      s.approval.answer === undefined &&
      (s.status === 'awaiting-approval' || s.approval.kind === 'rerun'),
  );
}

/** Puts a question to the user on a tool span; an `ask` also marks the call as not running yet. */
export function askSpanApproval(
  doc: Y.Doc,
  id: string,
  approval: Omit<SpanApproval, 'answer' | 'answeredAt' | 'answeredBy'>,
): Span {
  return updateSpan(doc, id, approval.kind === 'ask' ? { status: 'awaiting-approval', approval } : { approval });
}

/**
 * Writes the user's answer, from any tab on any device. The first answer stands: a second (another tab, a
 * double click) changes nothing and returns false, as does an answer to a question no longer asked.
 */
export function answerSpanApproval(doc: Y.Doc, id: string, answer: ApprovalAnswer, by: string, now: number): boolean {
  let written = false;
  doc.transact(() => {
    const span = spansMap(doc).get(id);
    if (!span?.approval || span.approval.answer !== undefined) return;
    if (span.approval.kind === 'ask' && span.status !== 'awaiting-approval') return;
    updateSpan(doc, id, { approval: { ...span.approval, answer, answeredAt: now, answeredBy: by } });
    written = true;
  });
  return written;
}

export function observeSpans(doc: Y.Doc, onChange: (changedIds: string[]) => void): () => void {
  const map = spansMap(doc);
  const handler = (ev: Y.YMapEvent<Span>) => onChange([...ev.keysChanged]);
  map.observe(handler);
  return () => map.unobserve(handler);
}

export function appendSnapshot(doc: Y.Doc, snap: Snapshot): void {
  doc.getArray<Snapshot>(SNAPSHOTS).push([stripUndefined(snap) as Snapshot]);
}

export function listSnapshots(doc: Y.Doc): Snapshot[] {
  return doc.getArray<Snapshot>(SNAPSHOTS).toArray();
}

// Yjs cannot encode `undefined` inside JSON content; drop such keys (top level is enough for our shapes).
function stripUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
