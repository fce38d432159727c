// The waterfall's rows: turns, and under each its spans in tree order (each child right under its parent,
// siblings by start time; the rules are shared/src/trace-tree's), with their depth, and the time axis. Pure, so 10,000 spans can be tested without a browser.
import type { Span, SpanKind, SpanStatus } from '@boocode/shared/doc/session-schema';
import {
  compareSpans,
  indexSpanTree,
  isSpanRunning,
  spanEndAt,
  subtreeOrder,
  type TreeNode,
  turnExtents,
  unreachedSpans,
} from '@boocode/shared/trace-tree/session-tree';

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
  /** The turn row this one sits under (unset in the flat view). */
  turnKey?: string;
  type?: undefined;
}

/** Tree order of one session without turn rows: depth-first, siblings by start time (shared rules). */
export function spanRows(spans: readonly Span[]): SpanRow[] {
  const index = indexSpanTree(spans);
  const roots = index.turns.flatMap((t) => t.roots).sort(compareSpans);
  const seen = new Set<string>();
  const out = subtreeOrder(roots, index.children, seen).map((node) => rowOf(node));
  for (const s of unreachedSpans(spans, seen)) out.push({ span: s, depth: 0, children: 0, key: s.id });
  return out;
}

function rowOf(node: TreeNode, turnKey?: string): SpanRow {
  const { span, depth } = node;
  const row: SpanRow = { span, depth, children: node.children, key: span.id };
  if (depth > 0 && span.parentId !== undefined) row.parentKey = span.parentId;
  else if (turnKey !== undefined) row.parentKey = turnKey;
  if (turnKey !== undefined) row.turnKey = turnKey;
  return row;
}

/** A turn of the session, above its spans: collapsible, with its own extent (the per-turn time axis). */
export interface TurnRow {
  type: 'turn';
  /** `turn:<n>`. */
  key: string;
  turn: number;
  depth: 0;
  start: number;
  /** The last end of its closed spans (a running span counts up to its start; the view adds the clock). */
  end: number;
  /** The session's own spans of this turn (nested child sessions not counted). */
  spanCount: number;
  open: boolean;
  running: boolean;
}

export type TraceRow = SpanRow | TurnRow;

export function isTurnRow(row: TraceRow | undefined): row is TurnRow {
  return row?.type === 'turn';
}

export function turnKey(turn: number): string {
  return `turn:${turn}`;
}

/** Above this many spans, only the last turn starts open: collapsed turns build none of their rows. */
export const OPEN_ALL_TURNS_UP_TO = 1000;

/** Whether a turn starts open when the user has not said: all of a small session, the last of a big one. */
export function turnOpenByDefault(turn: number, lastTurn: number, spanCount: number): boolean {
  return spanCount <= OPEN_ALL_TURNS_UP_TO || turn === lastTurn;
}

/**
 * The session as rows: each turn's row, then (when `isOpen(turn)`) its spans in tree order. A collapsed turn
 * never walks its spans, so a 10,000-span session with one open turn builds only that turn's rows.
 */
export function traceRows(spans: readonly Span[], isOpen: (turn: number) => boolean): TraceRow[] {
  const index = indexSpanTree(spans);
  // Closed extents (a running span counts up to its start): rows need not be rebuilt as the clock ticks.
  const extents = new Map(turnExtents(spans, closedEnd).map((t) => [t.turn, t]));
  const counts = new Map<number, number>();
  const running = new Set<number>();
  for (const s of spans) {
    counts.set(s.turn, (counts.get(s.turn) ?? 0) + 1);
    if (isSpanRunning(s)) running.add(s.turn);
  }
  const out: TraceRow[] = [];
  const seen = new Set<string>();
  let allOpen = true;
  for (const { turn, roots } of index.turns) {
    const key = turnKey(turn);
    const extent = extents.get(turn) ?? { start: roots[0]!.startedAt, end: closedEnd(roots[0]!) };
    const open = isOpen(turn);
    allOpen &&= open;
    out.push({
      type: 'turn',
      key,
      turn,
      depth: 0,
      start: extent.start,
      end: extent.end,
      spanCount: counts.get(turn) ?? 0,
      open,
      running: running.has(turn),
    });
    if (!open) continue;
    for (const node of subtreeOrder(roots, index.children, seen)) out.push(rowOf(node, key));
  }
  // Only with every turn walked can a span be known to be unreachable (caught in a parent cycle).
  if (allOpen) {
    for (const s of unreachedSpans(spans, seen)) out.push({ span: s, depth: 0, children: 0, key: s.id });
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
  return spanEndAt(span, now);
}

export function spanDuration(span: Span, now: number): number {
  return Math.max(0, spanEnd(span, now) - span.startedAt);
}

/**
 * The time a tool call waited for the user's approval (asked → answered, or → now while still asked);
 * undefined when it was never asked. Waiting is not running: the bar shows it as its own segment.
 */
export function approvalWait(span: Span, now: number): { start: number; end: number } | undefined {
  const a = span.approval;
  if (!a) return undefined;
  const end = a.answeredAt ?? (span.status === 'awaiting-approval' ? now : spanEnd(span, now));
  return { start: a.askedAt, end: Math.max(a.askedAt, end) };
}

/** Left offset and width of a span's bar, as fractions of the axis. */
export function barGeometry(span: Span, axis: TimeAxis, now: number): { left: number; width: number } {
  const total = axis.end - axis.start;
  return {
    left: (span.startedAt - axis.start) / total,
    width: spanDuration(span, now) / total,
  };
}

/** A span's end leaving the clock out: a running span ends at its start. */
export function closedEnd(span: Span): number {
  return spanEndAt(span, Number.NEGATIVE_INFINITY);
}

/** A span is running (open, or waiting for an approval): the pane's clock ticks. */
export function hasOpenSpan(spans: readonly Span[]): boolean {
  return spans.some(isSpanRunning);
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

export function filterRows<R extends TraceRow>(rows: readonly R[], f: SpanFilter): R[] {
  if (isFilterEmpty(f)) return rows as R[];
  const q = f.search?.trim().toLowerCase();
  const matches = (span: Span) => {
    if (f.kind && span.kind !== f.kind) return false;
    if (f.tool && !(span.kind === 'tool' && span.name === f.tool)) return false;
    if (f.status && span.status !== f.status) return false;
    if (q && !textOf(span).includes(q)) return false;
    return true;
  };
  // A turn's row stays when one of its spans does, so every match is shown under its turn.
  const out: R[] = [];
  let pendingTurn: R | undefined;
  for (const row of rows) {
    if (isTurnRow(row)) pendingTurn = row;
    else if (matches(row.span)) {
      if (pendingTurn) out.push(pendingTurn);
      pendingTurn = undefined;
      out.push(row);
    }
  }
  return out;
}

/** Names of tool spans, for the tool filter. */
export function toolNames(spans: readonly Span[]): string[] {
  const names = new Set<string>();
  for (const s of spans) if (s.kind === 'tool') names.add(s.name);
  return [...names].sort();
}
