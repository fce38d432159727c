// Child sessions' spans (a subagent's, a workflow agent's) nested under the span that started them, one
// level deeper, on the same absolute time axis as the pane's own spans. Pure; the docs are read elsewhere.
// Invariant: a collapsed or not-yet-loaded child adds no rows, and with nothing open the rows pass through.
import type { Span } from '@boocode/shared/doc/session-schema';
import { isTurnRow, type SpanRow, spanRows, type TraceRow } from './span-rows.ts';

/** What is known of a child session on this device: still loading, absent (not synced yet), or its spans. */
export type ChildTraceStatus = 'loading' | 'missing' | 'ready';

export interface ChildTrace {
  status: ChildTraceStatus;
  /** By start time, as listSpans returns them; empty unless ready. */
  spans: readonly Span[];
  /** The child session's model provider (a child may use another model than its parent, so another price). */
  provider?: string | undefined;
}

export interface NestedRows<R extends TraceRow = TraceRow> {
  rows: (R | SpanRow)[];
  /** Every span shown or nestable: the pane's own and those of the open children, for the time axis. */
  spans: readonly Span[];
  /** Child sessions whose docs must be open: those of open rows that are themselves shown. */
  openSessions: string[];
}

// A child's own tree order depends only on its spans: compute it once per version of them.
const treeCache = new WeakMap<readonly Span[], SpanRow[]>();

function treeOf(spans: readonly Span[]): SpanRow[] {
  let rows = treeCache.get(spans);
  if (!rows) {
    rows = spanRows(spans);
    treeCache.set(spans, rows);
  }
  return rows;
}

/**
 * Inserts, right after each row whose key is in `open` and whose span started a child session, that
 * session's rows (recursively for grandchildren). `rootSessionId` is the pane's own session: a child that
 * names a session already on its path is not nested again, so a cycle cannot loop.
 */
export function nestChildRows<R extends TraceRow>(
  rows: readonly R[],
  spans: readonly Span[],
  open: ReadonlySet<string>,
  children: ReadonlyMap<string, ChildTrace>,
  rootSessionId: string,
): NestedRows<R> {
  if (open.size === 0) return { rows: rows as R[], spans, openSessions: [] };
  const out: (R | SpanRow)[] = [];
  const allSpans: Span[] = [...spans];
  const openSessions = new Set<string>();

  const emit = (list: readonly (R | SpanRow)[], path: ReadonlySet<string>) => {
    for (const row of list) {
      out.push(row);
      if (isTurnRow(row)) continue;
      const childId = row.span.childSessionId;
      if (!childId || !open.has(row.key) || path.has(childId)) continue;
      openSessions.add(childId);
      const child = children.get(childId);
      if (child?.status !== 'ready' || child.spans.length === 0) continue;
      allSpans.push(...child.spans);
      emit(nestedUnder(row, childId, treeOf(child.spans)), new Set([...path, childId]));
    }
  };
  emit(rows, new Set([rootSessionId]));
  return { rows: out, spans: allSpans, openSessions: [...openSessions] };
}

/** A child's rows re-keyed under `owner` (keys stay unique if two spans name one session) and indented. */
function nestedUnder(owner: SpanRow, sessionId: string, tree: readonly SpanRow[]): SpanRow[] {
  const prefix = `${owner.key}/`;
  const base = owner.depth + 1;
  return tree.map((r) => ({
    span: r.span,
    depth: r.depth + base,
    children: r.children,
    key: prefix + r.key,
    parentKey: r.parentKey === undefined ? owner.key : prefix + r.parentKey,
    sessionId,
    // On the axis of the turn it is shown under, with the span that started it.
    ...(owner.turnKey !== undefined ? { turnKey: owner.turnKey } : {}),
  }));
}

/** What a row that starts a child session says about it while open and there are no rows to show. */
export function childTraceNote(trace: ChildTrace | undefined, agent: string): string | undefined {
  if (!trace || trace.status === 'loading') return `Loading the ${agent}'s spans…`;
  if (trace.status === 'missing') {
    return `The ${agent}'s session is not on this device yet; its spans appear once sync reaches it.`;
  }
  if (trace.spans.length === 0) return `The ${agent} has no spans yet.`;
  return undefined;
}
