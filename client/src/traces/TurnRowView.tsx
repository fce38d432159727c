// A turn's row in the waterfall: collapsible (its spans are only built while open), with its span count,
// duration, and its own time axis (drag across it to zoom, or zoom to the whole turn with its button).
import { memo } from 'react';

import { rowDomId } from './SpanRowView.tsx';
import { formatDuration } from './span-format.ts';
import type { TimeAxis, TurnRow } from './span-rows.ts';
import { ZoomTrack } from './TraceAxis.tsx';

export interface TurnRowProps {
  row: TurnRow;
  index: number;
  start: number;
  /** The axis the turn's rows are drawn on (its own while each turn fits). */
  axis: TimeAxis;
  /** Whether the track shows this turn's ticks: only when its rows are on its own axis. */
  ownAxis: boolean;
  now: number;
  active: boolean;
  measure: (el: HTMLElement | null) => void;
  onSelect: (index: number, toggle: boolean) => void;
  onZoom: (range: TimeAxis) => void;
}

export const TurnRowView = memo(function TurnRowView(p: TurnRowProps) {
  const { row } = p;
  const end = row.running ? Math.max(row.end, p.now) : row.end;
  const turnRange = { start: row.start, end: Math.max(row.end, row.start + 1) };
  return (
    <div
      ref={p.measure}
      data-index={p.index}
      id={rowDomId(row.key)}
      role="treeitem"
      tabIndex={-1}
      aria-level={1}
      aria-expanded={row.open}
      aria-selected={p.active}
      data-testid="turn-row"
      data-turn={row.turn}
      className={`span-row turn-row${p.active ? ' active' : ''}`}
      style={{ transform: `translateY(${p.start}px)` }}
    >
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the tree container handles the keyboard (arrows, Enter) */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a mouse shortcut for what Enter does on the tree */}
      <div className="span-line" onClick={() => p.onSelect(p.index, true)}>
        <div className="span-label">
          <span className="span-caret" aria-hidden>
            {row.open ? '▾' : '▸'}
          </span>
          <span className="turn-name">Turn {row.turn}</span>
          {row.running && <span className="tag span-status status-open">running</span>}
          <span className="span-latency">{formatDuration(end - row.start)}</span>
        </div>
        <div className="span-sub">
          <span className="muted">
            {row.spanCount} {row.spanCount === 1 ? 'span' : 'spans'}
          </span>{' '}
          <button
            type="button"
            className="link-button turn-zoom"
            data-testid="turn-zoom"
            onClick={(e) => {
              e.stopPropagation();
              p.onZoom(turnRange);
            }}
          >
            Zoom to turn {row.turn}
          </button>
        </div>
        <ZoomTrack
          axis={p.axis}
          origin={p.ownAxis ? row.start : p.axis.start}
          onZoom={p.onZoom}
          label={`Time axis of turn ${row.turn}`}
          showTicks={p.ownAxis}
        >
          {!p.ownAxis && (
            <div
              className="turn-extent"
              style={{
                left: `${((row.start - p.axis.start) / (p.axis.end - p.axis.start)) * 100}%`,
                width: `${((end - row.start) / (p.axis.end - p.axis.start)) * 100}%`,
              }}
            />
          )}
        </ZoomTrack>
      </div>
    </div>
  );
});
