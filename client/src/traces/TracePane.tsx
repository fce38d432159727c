// The trace viewer: a windowed waterfall of the session's spans (10,000 rows stay smooth), live while a
// span is open, with filters, search, keyboard navigation, a full-screen mode, jumps to the chat and OTLP
// export. Reads spans through the shared accessors only. A span that started a child session (a subagent, a
// workflow agent) can open that session's spans nested under it, on the same time axis.
// Its jobs live beside it: rows (TraceRows), keys (trace-keyboard), child nesting (use-child-nesting),
// filters (TraceFilters), the axis (use-trace-axis), the chat's way back (use-show-span).
import type { SessionMeta, Span } from '@boocode/shared/doc/session-schema';
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type * as Y from 'yjs';
import './trace-tree.css';
import { scrollChatToMessage } from './chat-jump.ts';
import { OtlpButtons } from './OtlpButtons.tsx';
import { rowDomId } from './SpanRowView.tsx';
import { formatCost, formatDuration } from './span-format.ts';
import { useNow, useSpans } from './span-hooks.ts';
import { messageIdsForSpan } from './span-messages.ts';
import {
  filterRows,
  hasOpenSpan,
  isFilterEmpty,
  isTurnRow,
  type SpanFilter,
  type TimeAxis,
  type TraceRow,
  toolNames,
} from './span-rows.ts';
import { AxisHeader } from './TraceAxis.tsx';
import { TraceFilters } from './TraceFilters.tsx';
import { sessionCost, TraceRows, useRowVirtualizer } from './TraceRows.tsx';
import { TraceZoomBar } from './TraceZoomBar.tsx';
import { handleTreeKey } from './trace-keyboard.ts';
import { axisForRow, FIT_TURN, type TraceZoom } from './trace-zoom.ts';
import { useChildNesting } from './use-child-nesting.ts';
import { useShowSpanRequests } from './use-show-span.ts';
import { useTraceAxis, useTurnAxes } from './use-trace-axis.ts';
import { rootTurn, useTurnRows } from './use-turn-rows.ts';

export interface TracePaneProps {
  sessionId: string;
  doc: Y.Doc | undefined;
  meta: SessionMeta | undefined;
}

export function TracePane({ sessionId, doc, meta }: TracePaneProps) {
  const ownSpans = useSpans(doc);
  const [filter, setFilter] = useState<SpanFilter>({});
  const { ownRows, toggleTurn, openTurn } = useTurnRows(ownSpans, !isFilterEmpty(filter));
  const { childOpen, toggleChild, children, nested } = useChildNesting(ownRows, ownSpans, sessionId);
  const rows = nested.rows;
  // Own and nested spans: the axis, the live clock and the filters cover both.
  const spans = nested.spans;
  const live = hasOpenSpan(spans);
  const now = useNow(live);
  const { axis, elapsed } = useTraceAxis(spans, live, now);
  const shown = useMemo(() => filterRows(rows, filter), [rows, filter]);
  const shownSpans = useMemo(() => shown.reduce((n, r) => (isTurnRow(r) ? n : n + 1), 0), [shown]);
  const [zoom, setZoom] = useState<TraceZoom>(FIT_TURN);
  const axes = useTurnAxes(rows, live, now);
  const axisOf = useCallback(
    (row: TraceRow) => axisForRow(zoom, axes.get(isTurnRow(row) ? row.key : (row.turnKey ?? '')), axis),
    [zoom, axes, axis],
  );
  const zoomTo = useCallback((range: TimeAxis) => setZoom({ mode: 'range', ...range }), []);
  const tools = useMemo(() => toolNames(spans), [spans]);
  const [fullscreen, setFullscreen] = useState(false);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [activeId, setActiveId] = useState<string | undefined>();
  const [returnTo, setReturnTo] = useState<string | undefined>();
  const scrollRef = useRef<HTMLDivElement>(null);
  const treeRef = useRef<HTMLDivElement>(null);
  const provider = meta?.provider;
  const virtualizer = useRowVirtualizer(shown, fullscreen, scrollRef);

  const activeIndex = activeId === undefined ? -1 : shown.findIndex((r) => r.key === activeId);

  const toggle = useCallback((id: string, open?: boolean) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open ?? !next.has(id)) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  const onSelect = useCallback(
    (index: number, toggleIt: boolean) => {
      const row = shown[index];
      if (!row) return;
      setActiveId(row.key);
      if (toggleIt && isTurnRow(row)) toggleTurn(row.turn);
      else if (toggleIt) toggle(row.key);
      treeRef.current?.focus({ preventScroll: true });
    },
    [shown, toggle, toggleTurn],
  );

  // A span asked for (from the chat, the cache pane) may be in a closed turn or hidden by a filter: open
  // and clear what hides it, then scroll to it once its row exists.
  const [revealing, setRevealing] = useState<string | undefined>();
  const reveal = useCallback(
    (spanId: string) => {
      if (!shown.some((r) => r.key === spanId)) {
        setFilter({});
        const span = ownSpans.find((s) => s.id === spanId);
        if (span) openTurn(rootTurn(span, ownSpans));
      }
      setActiveId(spanId);
      setRevealing(spanId);
      treeRef.current?.focus({ preventScroll: true });
    },
    [shown, ownSpans, openTurn],
  );
  useEffect(() => {
    if (revealing === undefined) return;
    const index = shown.findIndex((r) => r.key === revealing);
    if (index < 0) return;
    setRevealing(undefined);
    requestAnimationFrame(() => virtualizer.scrollToIndex(index, { align: 'center' }));
  }, [revealing, shown, virtualizer]);

  const onJump = useCallback(
    (span: Span) => {
      const candidates = doc ? messageIdsForSpan(span, doc) : span.messageId ? [span.messageId] : [];
      if (!candidates.length) return;
      setFullscreen(false);
      setReturnTo(span.id);
      // Leave full screen first so the chat is laid out before it is scrolled. The chat hides some
      // messages (tool results show inside their call's card): take the first one it renders.
      requestAnimationFrame(() => candidates.some((id) => scrollChatToMessage(id)));
    },
    [doc],
  );

  useShowSpanRequests(ownSpans, reveal);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' && zoom.mode === 'range') {
      // Esc undoes the zoom first, then leaves full screen, then (not stopped) leaves the session.
      e.stopPropagation();
      setZoom(FIT_TURN);
      return;
    }
    if (e.key === 'Escape' && fullscreen) {
      // Keep the session view's Esc (back to the list) from firing: Esc here only leaves full screen.
      e.stopPropagation();
      setFullscreen(false);
      return;
    }
    if (e.target !== treeRef.current || shown.length === 0) return;
    const handled = handleTreeKey(e.key, {
      rows: shown,
      activeIndex,
      expanded,
      childOpen,
      moveTo: (i) => {
        setActiveId(shown[i]!.key);
        virtualizer.scrollToIndex(i, { align: 'auto' });
      },
      toggle,
      toggleChild,
      toggleTurn,
    });
    if (handled) e.preventDefault();
  };

  const cost = useMemo(() => sessionCost(ownSpans, provider), [ownSpans, provider]);

  return (
    <section
      className={`trace-pane obs-pane${fullscreen ? ' fullscreen' : ''}`}
      aria-label="Trace"
      data-testid="trace-pane"
      onKeyDown={onKeyDown}
    >
      <div className="obs-toolbar">
        <span className="obs-summary" data-testid="trace-summary">
          {isFilterEmpty(filter) ? `${spans.length} spans` : `${shownSpans} of ${spans.length} spans`}
          {spans.length > 0 && ` · ${formatDuration(elapsed)}`}
          {cost !== undefined && ` · ${formatCost(cost)}`}
          {live && <span className="live-dot" title="A span is running" />}
        </span>
        <span className="spacer" />
        <OtlpButtons sessionId={sessionId} spans={ownSpans} />
        <button
          type="button"
          className="icon-button"
          data-testid="trace-fullscreen"
          aria-pressed={fullscreen}
          title={fullscreen ? 'Leave full screen (Esc)' : 'Full screen'}
          onClick={() => setFullscreen(!fullscreen)}
        >
          {fullscreen ? '⤡' : '⤢'}
        </button>
      </div>
      <TraceFilters filter={filter} tools={tools} onChange={setFilter} />
      {spans.length > 0 && <TraceZoomBar zoom={zoom} sessionStart={axis.start} onZoom={setZoom} />}
      {returnTo && (
        <div className="obs-return">
          <button
            type="button"
            className="link-button"
            onClick={() => {
              reveal(returnTo);
              setReturnTo(undefined);
            }}
          >
            ← Back to the span
          </button>
        </div>
      )}
      {spans.length === 0 ? (
        <p className="empty-state">Model and tool calls of this session will be listed here, with timing and tokens.</p>
      ) : (
        <>
          {zoom.mode !== 'turn' && (
            <AxisHeader axis={axisForRow(zoom, undefined, axis)} origin={axis.start} onZoom={zoomTo} />
          )}
          <div className="span-scroll" ref={scrollRef} data-testid="span-scroll">
            <div
              ref={treeRef}
              role="tree"
              aria-label="Spans"
              aria-activedescendant={activeId && activeIndex >= 0 ? rowDomId(activeId) : undefined}
              tabIndex={0}
              className="span-tree"
              data-testid="span-tree"
              style={{ height: virtualizer.getTotalSize() }}
            >
              <TraceRows
                rows={shown}
                virtualizer={virtualizer}
                axisOf={axisOf}
                perTurn={zoom.mode === 'turn'}
                onZoom={zoomTo}
                now={now}
                expanded={expanded}
                activeId={activeId}
                doc={doc}
                provider={provider}
                childTraces={children}
                childOpen={childOpen}
                openSessions={nested.openSessions}
                onSelect={onSelect}
                onJump={onJump}
                onToggleChild={toggleChild}
              />
            </div>
            {shown.length === 0 && <p className="empty-state">No span matches these filters.</p>}
          </div>
        </>
      )}
    </section>
  );
}

export default TracePane;
