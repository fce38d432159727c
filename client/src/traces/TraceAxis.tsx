// Time axes the user can zoom on: the header over the bars and each turn's row. Dragging across one selects
// a range (shown while dragging) and zooms every row to it; a press without a drag changes nothing.
import { type PointerEvent, useRef, useState } from 'react';
import type { TimeAxis } from './span-rows.ts';
import { axisTicks, rangeFromDrag } from './trace-zoom.ts';

export interface ZoomTrackProps {
  axis: TimeAxis;
  /** Tick labels count from here (the session's start, or the turn's). */
  origin: number;
  onZoom: (range: TimeAxis) => void;
  /** Accessible name of the track, e.g. "Time axis of turn 2". */
  label: string;
  showTicks?: boolean;
  children?: React.ReactNode;
}

export function ZoomTrack({ axis, origin, onZoom, label, showTicks = true, children }: ZoomTrackProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | undefined>();
  const fraction = (e: PointerEvent) => {
    const box = ref.current?.getBoundingClientRect();
    return box && box.width > 0 ? (e.clientX - box.left) / box.width : 0;
  };
  const lo = drag ? Math.max(0, Math.min(drag.from, drag.to)) : 0;
  const hi = drag ? Math.min(1, Math.max(drag.from, drag.to)) : 0;
  return (
    <div
      ref={ref}
      className="span-track zoom-track"
      data-testid="zoom-track"
      // A mouse shortcut: the zoom buttons and the turn rows' own text say the same to a screen reader.
      aria-hidden
      title={`${label}: drag across it to zoom`}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.stopPropagation();
        e.currentTarget.setPointerCapture?.(e.pointerId);
        const f = fraction(e);
        setDrag({ from: f, to: f });
      }}
      onPointerMove={(e) => {
        if (drag) setDrag({ from: drag.from, to: fraction(e) });
      }}
      onPointerUp={(e) => {
        if (!drag) return;
        const range = rangeFromDrag(axis, drag.from, fraction(e));
        setDrag(undefined);
        if (range) onZoom(range);
      }}
      onPointerCancel={() => setDrag(undefined)}
      // The row's click (toggle) must not fire at the end of a drag.
      onClick={(e) => e.stopPropagation()}
    >
      {showTicks &&
        axisTicks(axis, origin).map((t) => (
          <span key={t.at} className="axis-tick" style={{ left: `${t.at * 100}%` }}>
            {t.label}
          </span>
        ))}
      {children}
      {drag && hi > lo && (
        <div
          className="zoom-selection"
          data-testid="zoom-selection"
          style={{ left: `${lo * 100}%`, width: `${(hi - lo) * 100}%` }}
        />
      )}
    </div>
  );
}

/** The header over the bars: the shared axis (session or zoomed range); none while each turn has its own. */
export function AxisHeader({
  axis,
  origin,
  onZoom,
}: {
  axis: TimeAxis;
  origin: number;
  onZoom: (range: TimeAxis) => void;
}) {
  return (
    <div className="span-axis span-line" data-testid="trace-axis">
      <ZoomTrack axis={axis} origin={origin} onZoom={onZoom} label="Time axis" />
    </div>
  );
}
