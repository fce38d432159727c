// The waterfall's rows: spans in tree order (each child right under its parent, siblings by start time),
// with their depth, and the shared time axis. Pure, so 10,000 spans can be tested without a browser.
import type { Span, SpanKind, SpanStatus } from '@boocode/shared/doc/session-schema';

export interface SpanRow {
  span: Span;
  depth: number;
  /** Direct children in the tree. */
  children: number;
  /** Unique in the pane: the span id for the pane's own session, a path for spans of nested child sessions. */
  key: string;
  /** Key of the row this one nests under (its parent span, or the span that started its session). */
  parentKey?: string;
  /** The child session a nested row's span belongs to; unset for the pane's own session. */
  sessionId?: string;
}

/** Tree order: depth-first, siblings by start time. A span whose parent is missing is a root. */
export function spanRows(spans: readonly Span[]): SpanRow[] {
  const byId = new Map<string, Span>();
  for (const s of spans) byId.set(s.id, s);
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    const parent = s.parentId !== undefined && s.parentId !== s.id ? byId.get(s.parentId) : undefined;
    if (!parent) {
      roots.push(s);
      continue;
    }
    const list = children.get(parent.id);
    if (list) list.push(s);
    else children.set(parent.id, [s]);
  }
  const byStart = (a: Span, b: Span) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1);
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  const out: SpanRow[] = [];
  const seen = new Set<string>();
  // Iterative DFS: a deep chain of subagents must not overflow the stack.
  const stack: { span: Span; depth: number }[] = roots.map((span) => ({ span, depth: 0 })).reverse();
  while (stack.length) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.id)) continue;
    seen.add(span.id);
    const kids = children.get(span.id);
    const row: SpanRow = { span, depth, children: kids?.length ?? 0, key: span.id };
    if (depth > 0 && span.parentId !== undefined) row.parentKey = span.parentId;
    out.push(row);
    if (!kids) continue;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  // Spans caught in a parent cycle were never reached from a root: show them flat rather than lose them.
  if (out.length < spans.length) {
    for (const s of [...spans].sort(byStart)) {
      if (!seen.has(s.id)) out.push({ span: s, depth: 0, children: 0, key: s.id });
    }
  }
  return out;
}

export interface TimeAxis {
  start: number;
  end: number;
}

/** The axis spans every span; an open span ends at `now`. Never zero-length, so widths stay finite. */
export function timeAxis(spans: readonly Span[], now: number): TimeAxis {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    start = Math.min(start, s.startedAt);
    end = Math.max(end, spanEnd(s, now));
  }
  if (!Number.isFinite(start)) return { start: now, end: now + 1 };
  return { start, end: Math.max(end, start + 1) };
}

/**
 * The axis while spans are open: it ends a little after now and moves in steps, so a closed span's bar
 * keeps its geometry (and its row need not re-render) between steps; only open bars grow every frame.
 */
export function liveAxis(closed: TimeAxis, now: number, prev: TimeAxis | undefined): TimeAxis {
  const needed = Math.max(closed.end, now);
  if (prev && prev.start === closed.start && prev.end >= needed) return prev;
  return { start: closed.start, end: needed + Math.max(1000, (needed - closed.start) * 0.2) };
}

export function spanEnd(span: Span, now: number): number {
  if (span.endedAt !== undefined) return span.endedAt;
  // Only an open span is still running; an interrupted one without an end stops at its start.
  return span.status === 'open' ? Math.max(now, span.startedAt) : span.startedAt;
}

export function spanDuration(span: Span, now: number): number {
  return Math.max(0, spanEnd(span, now) - span.startedAt);
}

/** Left offset and width of a span's bar, as fractions of the axis. */
export function barGeometry(span: Span, axis: TimeAxis, now: number): { left: number; width: number } {
  const total = axis.end - axis.start;
  return {
    left: (span.startedAt - axis.start) / total,
    width: spanDuration(span, now) / total,
  };
}

export function hasOpenSpan(spans: readonly Span[]): boolean {
  return spans.some((s) => s.status === 'open');
}

export interface SpanFilter {
  kind?: SpanKind;
  tool?: string;
  status?: SpanStatus;
  search?: string;
}

const searchText = new WeakMap<Span, string>();

/** Lower-cased text searched by the filter box: name, error, input and output (cached per span version). */
function textOf(span: Span): string {
  let t = searchText.get(span);
  if (t === undefined) {
    t = [span.name, span.error?.message ?? '', stringify(span.input), stringify(span.output)].join('\n').toLowerCase();
    searchText.set(span, t);
  }
  return t;
}

function stringify(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function isFilterEmpty(f: SpanFilter): boolean {
  return !f.kind && !f.tool && !f.status && !f.search?.trim();
}

export function filterRows(rows: readonly SpanRow[], f: SpanFilter): SpanRow[] {
  if (isFilterEmpty(f)) return rows as SpanRow[];
  const q = f.search?.trim().toLowerCase();
  return rows.filter(({ span }) => {
    if (f.kind && span.kind !== f.kind) return false;
    if (f.tool && !(span.kind === 'tool' && span.name === f.tool)) return false;
    if (f.status && span.status !== f.status) return false;
    if (q && !textOf(span).includes(q)) return false;
    return true;
  });
}

/** Names of tool spans, for the tool filter. */
export function toolNames(spans: readonly Span[]): string[] {
  const names = new Set<string>();
  for (const s of spans) if (s.kind === 'tool') names.add(s.name);
  return [...names].sort();
}
