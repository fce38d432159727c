// The zoom controls over the waterfall: fit each turn (the default), fit the session, and, once zoomed to
// a dragged range or a turn, what is shown and the way back (the button, or Esc in the pane).
import { FIT_TURN, type TraceZoom, zoomLabel } from './trace-zoom.ts';

export function TraceZoomBar({
  zoom,
  sessionStart,
  onZoom,
}: {
  zoom: TraceZoom;
  sessionStart: number;
  onZoom: (zoom: TraceZoom) => void;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a toolbar of buttons, not a form group
    <div className="trace-zoom-bar" role="group" aria-label="Zoom">
      <button
        type="button"
        data-testid="zoom-fit-turn"
        aria-pressed={zoom.mode === 'turn'}
        title="Each turn on its own time axis"
        onClick={() => onZoom(FIT_TURN)}
      >
        Fit turn
      </button>
      <button
        type="button"
        data-testid="zoom-fit-session"
        aria-pressed={zoom.mode === 'session'}
        title="The whole session on one time axis"
        onClick={() => onZoom({ mode: 'session' })}
      >
        Fit session
      </button>
      {zoom.mode === 'range' && (
        <button
          type="button"
          data-testid="zoom-reset"
          title="Back to each turn on its own axis (Esc)"
          onClick={() => onZoom(FIT_TURN)}
        >
          Reset zoom
        </button>
      )}
      <span className="muted zoom-label" data-testid="zoom-label" aria-live="polite">
        {zoomLabel(zoom, sessionStart)}
      </span>
    </div>
  );
}
