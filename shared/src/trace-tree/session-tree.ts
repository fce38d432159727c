/**
 * A session's spans as the tree every trace view shows (the waterfall, the OTLP export):
 *
 *   session → turn N → model / tool / workflow-agent spans → spans nested under them (a subagent span
 *   under its spawn_subagent call) → the child session a span started (subagent, workflow agent) → …
 *
 * Rules, the same for every view: a span whose parent is in the session hangs under that parent (even from
 * another turn); any other span is a root of its own turn. Siblings run by start time, ties by id. A turn
 * runs from the first start to the last end of its spans. Pure, so 10,000 spans test without a browser.
 */
import type { Span } from '../doc/session-schema.ts';

/** Start time, then id (ids sort by time too), so every view orders siblings alike. */
export function compareSpans(a: Span, b: Span): number {
  return a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Still running: an open call, or a tool call waiting for the user's answer (waiting is part of its time). */
export function isSpanRunning(span: Span): boolean {
  return span.status === 'open' || span.status === 'awaiting-approval';
}

/** A running span ends at `now`; a stopped one without an end (interrupted) at its start. */
export function spanEndAt(span: Span, now: number): number {
  if (span.endedAt !== undefined) return Math.max(span.startedAt, span.endedAt);
  return isSpanRunning(span) ? Math.max(now, span.startedAt) : span.startedAt;
}

export interface TurnExtent {
  turn: number;
  start: number;
  end: number;
}

/** Each turn's time span over its spans (by `span.turn`), by turn number. */
export function turnExtents(spans: readonly Span[], endOf: (span: Span) => number): TurnExtent[] {
  const turns = new Map<number, TurnExtent>();
  for (const span of spans) {
    const end = endOf(span);
    const t = turns.get(span.turn);
    if (!t) turns.set(span.turn, { turn: span.turn, start: span.startedAt, end });
    else {
      t.start = Math.min(t.start, span.startedAt);
      t.end = Math.max(t.end, end);
    }
  }
  return [...turns.values()].sort((a, b) => a.turn - b.turn);
}

/** The parent of `span` inside its session, or undefined when it is a root of its turn. */
export function parentInSession(span: Span, byId: ReadonlyMap<string, Span>): Span | undefined {
  return span.parentId !== undefined && span.parentId !== span.id ? byId.get(span.parentId) : undefined;
}

export interface SpanTreeIndex {
  /** Roots of each turn (spans with no parent in the session), by start; turns in order. */
  turns: { turn: number; roots: Span[] }[];
  /** Direct children of a span, by start. */
  children: ReadonlyMap<string, Span[]>;
}

/** Indexes a session's spans into turns and parent → children, sorted; no span is visited twice later. */
export function indexSpanTree(spans: readonly Span[]): SpanTreeIndex {
  const byId = new Map<string, Span>();
  for (const s of spans) byId.set(s.id, s);
  const children = new Map<string, Span[]>();
  const roots = new Map<number, Span[]>();
  for (const s of spans) {
    const parent = parentInSession(s, byId);
    if (parent) pushTo(children, parent.id, s);
    else pushTo(roots, s.turn, s);
  }
  for (const list of roots.values()) list.sort(compareSpans);
  for (const list of children.values()) list.sort(compareSpans);
  const turns = [...roots].sort((a, b) => a[0] - b[0]).map(([turn, r]) => ({ turn, roots: r }));
  return { turns, children };
}

function pushTo<K>(map: Map<K, Span[]>, key: K, span: Span): void {
  const list = map.get(key);
  if (list) list.push(span);
  else map.set(key, [span]);
}

export interface TreeNode {
  span: Span;
  /** 0 for a root of its turn. */
  depth: number;
  /** Direct children in the tree. */
  children: number;
}

/**
 * Depth-first from `roots` (children right under their parent). `seen` is shared across calls so a span
 * reached twice (a parent cycle) is listed once. Iterative: a deep chain of subagents must not overflow.
 */
export function subtreeOrder(
  roots: readonly Span[],
  children: ReadonlyMap<string, Span[]>,
  seen: Set<string> = new Set(),
): TreeNode[] {
  const out: TreeNode[] = [];
  const stack: { span: Span; depth: number }[] = roots.map((span) => ({ span, depth: 0 })).reverse();
  while (stack.length) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.id)) continue;
    seen.add(span.id);
    const kids = children.get(span.id);
    out.push({ span, depth, children: kids?.length ?? 0 });
    if (!kids) continue;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  return out;
}

/** Spans caught in a parent cycle are reached from no root: they are listed flat rather than lost. */
export function unreachedSpans(spans: readonly Span[], seen: ReadonlySet<string>): Span[] {
  return spans.filter((s) => !seen.has(s.id)).sort(compareSpans);
}

/** A session's spans with where it came from: enough to hang it under the span that started it. */
export interface TreeSession {
  id: string;
  spans: readonly Span[];
}

/**
 * For each child session, the span in another session that stands for it: a subagent or workflow-agent
 * span (it brackets the child's run) before any other span naming it, then the earliest.
 */
export function childSessionStarters(sessions: readonly TreeSession[]): Map<string, Span> {
  const best = new Map<string, { span: Span; rank: number }>();
  for (const s of sessions) {
    for (const span of s.spans) {
      const child = span.childSessionId;
      if (!child || child === s.id) continue;
      const rank = span.kind === 'subagent' || span.kind === 'workflow-agent' ? 0 : 1;
      const cur = best.get(child);
      if (!cur || rank < cur.rank || (rank === cur.rank && compareSpans(span, cur.span) < 0)) {
        best.set(child, { span, rank });
      }
    }
  }
  return new Map([...best].map(([child, { span }]) => [child, span]));
}
