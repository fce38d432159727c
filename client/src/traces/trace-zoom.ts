// The waterfall's zoom: each turn on its own axis (the default, so a long session's spans never shrink to
// ticks), the whole session on one axis, or a range the user dragged across an axis. Pure maths, tested.
import { isSpanRunning } from '@boocode/shared/trace-tree/session-tree';
import { formatDuration } from './span-format.ts';
import { closedEnd, isTurnRow, liveAxis, type TimeAxis, type TraceRow } from './span-rows.ts';

export type TraceZoom = { mode: 'turn' } | { mode: 'session' } | { mode: 'range'; start: number; end: number };

export const FIT_TURN: TraceZoom = { mode: 'turn' };

/** The axis a row's bar is drawn on: its turn's, the session's, or the zoomed range. */
export function axisForRow(zoom: TraceZoom, turnAxis: TimeAxis | undefined, sessionAxis: TimeAxis): TimeAxis {
  if (zoom.mode === 'range') return { start: zoom.start, end: zoom.end };
  if (zoom.mode === 'turn' && turnAxis) return turnAxis;
  return sessionAxis;
}

/** A drag must cover at least this share of the axis to zoom (a shorter one is a click). */
export const MIN_DRAG_FRACTION = 0.01;

/**
 * The range a drag from `from` to `to` (fractions of the axis' width, either direction, clamped to the
 * axis) selects; undefined when it is too short to be meant as a zoom.
 */
export function rangeFromDrag(axis: TimeAxis, from: number, to: number): TimeAxis | undefined {
  const a = Math.min(clamp01(from), clamp01(to));
  const b = Math.max(clamp01(from), clamp01(to));
  if (b - a < MIN_DRAG_FRACTION) return undefined;
  const total = axis.end - axis.start;
  return { start: axis.start + a * total, end: axis.start + b * total };
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, Number.isFinite(x) ? x : 0));
}

export interface AxisTick {
  /** Where the tick sits, as a fraction of the axis' width. */
  at: number;
  label: string;
}

/** Four ticks, labelled as time since `origin` (the session's or the turn's start). */
export function axisTicks(axis: TimeAxis, origin: number): AxisTick[] {
  const total = axis.end - axis.start;
  return [0, 0.25, 0.5, 0.75].map((at) => {
    const t = axis.start - origin + at * total;
    return { at, label: t <= 0 ? '0' : formatDuration(t) };
  });
}

/**
 * Each turn's axis: its spans' extent, widened by the rows shown under it (a child session that ran on after
 * the turn). A running turn's axis moves in steps (liveAxis), so its closed bars keep their geometry.
 */
export function turnAxes(
  rows: readonly TraceRow[],
  now: number,
  previous: ReadonlyMap<string, TimeAxis>,
): Map<string, TimeAxis> {
  const closed = new Map<string, TimeAxis>();
  const running = new Set<string>();
  let current: string | undefined;
  const widen = (key: string, start: number, end: number) => {
    const a = closed.get(key);
    closed.set(key, a ? { start: Math.min(a.start, start), end: Math.max(a.end, end) } : { start, end });
  };
  for (const row of rows) {
    if (isTurnRow(row)) {
      current = row.key;
      // Closed extents: a running span counts up to its start; the live axis stretches past now below.
      widen(row.key, row.start, row.end);
      if (row.running) running.add(row.key);
      continue;
    }
    const key = row.turnKey ?? current;
    if (key === undefined) continue;
    widen(key, row.span.startedAt, closedEnd(row.span));
    if (isSpanRunning(row.span)) running.add(key);
  }
  const out = new Map<string, TimeAxis>();
  for (const [key, a] of closed) {
    const prev = previous.get(key);
    const axis = { start: a.start, end: Math.max(a.end, a.start + 1) };
    const next = running.has(key) ? liveAxis(axis, now, prev) : axis;
    // The same axis object while nothing moved: rows drawn on it skip re-rendering.
    out.set(key, prev && prev.start === next.start && prev.end === next.end ? prev : next);
  }
  return out;
}

/** What the zoom shows, in words (for the zoom bar and screen readers). */
export function zoomLabel(zoom: TraceZoom, sessionStart: number): string {
  if (zoom.mode === 'turn') return 'Each turn on its own time axis';
  if (zoom.mode === 'session') return 'The whole session on one time axis';
  return `Zoomed to ${formatDuration(Math.max(0, zoom.start - sessionStart))} – ${formatDuration(
    Math.max(0, zoom.end - sessionStart),
  )}`;
}
