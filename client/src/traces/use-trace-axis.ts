// The waterfall's time axis: every shown span (own and nested), an open span stretching it to now in steps
// (so closed bars keep their geometry between steps and only open bars re-render each frame).
import type { Span } from '@boocode/shared/doc/session-schema';
import { useMemo, useRef } from 'react';
import { liveAxis, type TimeAxis, type TraceRow, timeAxis } from './span-rows.ts';
import { turnAxes } from './trace-zoom.ts';

export function useTraceAxis(spans: readonly Span[], live: boolean, now: number) {
  // Extents of the spans with open ones cut at their start; an open span then stretches the axis to now.
  const closedAxis = useMemo(() => timeAxis(spans, Number.NEGATIVE_INFINITY), [spans]);
  const liveAxisRef = useRef<TimeAxis | undefined>(undefined);
  const settledAxis = useMemo(() => (live ? undefined : timeAxis(spans, now)), [live, spans, now]);
  const axis = settledAxis ?? liveAxis(closedAxis, now, liveAxisRef.current);
  liveAxisRef.current = live ? axis : undefined;
  const elapsed = Math.max(closedAxis.end, live ? now : 0) - closedAxis.start;
  return { axis, elapsed };
}

/** Each turn's own axis (see turnAxes); recomputed per frame only while a span runs. */
export function useTurnAxes(rows: readonly TraceRow[], live: boolean, now: number): ReadonlyMap<string, TimeAxis> {
  const prev = useRef<ReadonlyMap<string, TimeAxis>>(new Map());
  const tick = live ? now : 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is now while live and frozen otherwise
  const axes = useMemo(() => turnAxes(rows, now, prev.current), [rows, tick]);
  prev.current = axes;
  return axes;
}
