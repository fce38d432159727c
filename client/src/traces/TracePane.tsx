// The trace viewer: a virtualised waterfall of the session's spans (10,000 rows stay smooth), live while a
// span is open, with filters, search, keyboard navigation, a full-screen mode, jumps to the chat and OTLP
// export. Reads spans through the shared accessors only. A span that started a child session (a subagent, a
// workflow agent) can open that session's spans nested under it, on the same time axis.
import { listMessages } from '@boocode/shared/doc/session';
import type { Attachment, SessionMeta, Span, SpanKind, SpanStatus } from '@boocode/shared/doc/session-schema';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type * as Y from 'yjs';
import {
  deferShowSpan,
  SHOW_SPAN_EVENT,
  type ShowSpanDetail,
  scrollChatToMessage,
  takePendingShowSpan,
} from './chat-jump.ts';
import { childTraceNote, nestChildRows } from './child-rows.ts';
import { OtlpButtons } from './OtlpButtons.tsx';
import { rowDomId, SpanRowView } from './SpanRowView.tsx';
import { spanCost } from './span-cost.ts';
import { formatCost, formatDuration, STATUS_LABEL } from './span-format.ts';
import { useChildTraces, useNow, useSpans } from './span-hooks.ts';
import {
  filterRows,
  hasOpenSpan,
  liveAxis,
  type SpanFilter,
  spanRows,
  type TimeAxis,
  timeAxis,
  toolNames,
} from './span-rows.ts';

/** Folded row heights, as laid out by styles.css (.span-line rows + padding + border). */
const ROW_HEIGHT = 46;
const ROW_HEIGHT_FULLSCREEN = 40;
const KINDS: SpanKind[] = ['model', 'tool', 'autofix', 'subagent', 'workflow-agent'];
const STATUSES: SpanStatus[] = ['open', 'ok', 'error', 'interrupted', 'cancelled'];

export interface TracePaneProps {
  sessionId: string;
  doc: Y.Doc | undefined;
  meta: SessionMeta | undefined;
}

export function TracePane({ sessionId, doc, meta }: TracePaneProps) {
  const ownSpans = useSpans(doc);
  const ownRows = useMemo(() => spanRows(ownSpans), [ownSpans]);
  // Keys of the rows whose child session is shown nested, and the sessions that needs open.
  const [childOpen, setChildOpen] = useState<ReadonlySet<string>>(() => new Set());
  const [childSessionKey, setChildSessionKey] = useState('');
  const children = useChildTraces(
    useMemo(() => (childSessionKey ? childSessionKey.split('\n') : []), [childSessionKey]),
  );
  const nested = useMemo(
    () => nestChildRows(ownRows, ownSpans, childOpen, children, sessionId),
    [ownRows, ownSpans, childOpen, children, sessionId],
  );
  // Which docs to hold follows from the rows shown (a collapsed ancestor hides, and so releases, a grandchild).
  useEffect(() => setChildSessionKey(nested.openSessions.join('\n')), [nested.openSessions]);
  const rows = nested.rows;
  // Own and nested spans: the axis, the live clock and the filters cover both.
  const spans = nested.spans;
  const live = hasOpenSpan(spans);
  const now = useNow(live);
  const [filter, setFilter] = useState<SpanFilter>({});
  const shown = useMemo(() => filterRows(rows, filter), [rows, filter]);
  // Extents of the spans with open ones cut at their start; an open span then stretches the axis to now.
  const closedAxis = useMemo(() => timeAxis(spans, Number.NEGATIVE_INFINITY), [spans]);
  const liveAxisRef = useRef<TimeAxis | undefined>(undefined);
  const settledAxis = useMemo(() => (live ? undefined : timeAxis(spans, now)), [live, spans, now]);
  const axis = settledAxis ?? liveAxis(closedAxis, now, liveAxisRef.current);
  liveAxisRef.current = live ? axis : undefined;
  const elapsed = Math.max(closedAxis.end, live ? now : 0) - closedAxis.start;
  const tools = useMemo(() => toolNames(spans), [spans]);
  const [fullscreen, setFullscreen] = useState(false);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [activeId, setActiveId] = useState<string | undefined>();
  const [returnTo, setReturnTo] = useState<string | undefined>();
  const scrollRef = useRef<HTMLDivElement>(null);
  const treeRef = useRef<HTMLDivElement>(null);
  const provider = meta?.provider;

  // A stable key function: the virtualiser recomputes every row's offset (10,000 of them) when it changes.
  const getItemKey = useCallback((i: number) => shown[i]?.key ?? i, [shown]);
  // The exact height of a folded row, so measuring a row that scrolls in changes nothing.
  const estimateSize = useCallback(() => (fullscreen ? ROW_HEIGHT_FULLSCREEN : ROW_HEIGHT), [fullscreen]);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey,
    overscan: 12,
  });

  // Row heights differ between the side pane and full screen: forget the measured ones.
  // biome-ignore lint/correctness/useExhaustiveDependencies: fullscreen is the trigger, not a value read
  useEffect(() => virtualizer.measure(), [fullscreen, virtualizer]);

  const activeIndex = activeId === undefined ? -1 : shown.findIndex((r) => r.key === activeId);

  const toggle = useCallback((id: string, open?: boolean) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open ?? !next.has(id)) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  const toggleChild = useCallback((key: string, open?: boolean) => {
    setChildOpen((prev) => {
      if ((open ?? !prev.has(key)) === prev.has(key)) return prev;
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);

  const onSelect = useCallback(
    (index: number, toggleIt: boolean) => {
      const id = shown[index]?.key;
      if (!id) return;
      setActiveId(id);
      if (toggleIt) toggle(id);
      treeRef.current?.focus({ preventScroll: true });
    },
    [shown, toggle],
  );

  const reveal = useCallback(
    (spanId: string) => {
      let index = shown.findIndex((r) => r.key === spanId);
      if (index < 0) {
        // The span is hidden by a filter: clear it so the user sees what they asked for.
        setFilter({});
        index = rows.findIndex((r) => r.key === spanId);
      }
      if (index < 0) return;
      setActiveId(spanId);
      requestAnimationFrame(() => virtualizer.scrollToIndex(index, { align: 'center' }));
      treeRef.current?.focus({ preventScroll: true });
    },
    [shown, rows, virtualizer],
  );

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

  // The way back from the chat: a message (or anything else) asks for a span or a message's first span.
  useEffect(() => {
    const show = ({ spanId, messageId }: ShowSpanDetail) => {
      const target = spanId ?? ownSpans.find((s) => s.messageId === messageId)?.id;
      if (!target || !ownSpans.some((s) => s.id === target)) return false;
      reveal(target);
      return true;
    };
    // A request made before this pane was open (or before the spans had loaded) is taken now.
    const waiting = takePendingShowSpan();
    if (waiting && !show(waiting)) deferShowSpan(waiting);
    const onShow = (e: Event) => {
      if (show((e as CustomEvent<ShowSpanDetail>).detail ?? {})) takePendingShowSpan();
    };
    window.addEventListener(SHOW_SPAN_EVENT, onShow);
    return () => window.removeEventListener(SHOW_SPAN_EVENT, onShow);
  }, [ownSpans, reveal]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' && fullscreen) {
      // Keep the session view's Esc (back to the list) from firing: Esc here only leaves full screen.
      e.stopPropagation();
      setFullscreen(false);
      return;
    }
    if (e.target !== treeRef.current || shown.length === 0) return;
    const move = (to: number) => {
      const i = Math.max(0, Math.min(shown.length - 1, to));
      setActiveId(shown[i]!.key);
      virtualizer.scrollToIndex(i, { align: 'auto' });
    };
    const cur = activeIndex;
    const row = shown[cur];
    const id = row?.key;
    // A row that started a child session opens the session's spans first (ArrowRight), then its details.
    const nestsChild = row?.span.childSessionId !== undefined;
    switch (e.key) {
      case 'ArrowDown':
        move(cur + 1);
        break;
      case 'ArrowUp':
        move(cur < 0 ? 0 : cur - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(shown.length - 1);
        break;
      case 'PageDown':
        move(cur + 10);
        break;
      case 'PageUp':
        move(cur - 10);
        break;
      case 'Enter':
      case ' ':
        if (id) toggle(id);
        break;
      case 'ArrowRight':
        if (id && nestsChild && !childOpen.has(id)) toggleChild(id, true);
        else if (id) toggle(id, true);
        break;
      case 'ArrowLeft': {
        if (id && expanded.has(id)) toggle(id, false);
        else if (id && childOpen.has(id)) toggleChild(id, false);
        else {
          const parentKey = row?.parentKey;
          const p = parentKey ? shown.findIndex((r) => r.key === parentKey) : -1;
          if (p >= 0) move(p);
        }
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  // The session's own cost: a child's is its own session's (and is shown on its rows).
  const totals = useMemo(() => sessionTotals(ownSpans, provider), [ownSpans, provider]);
  const items = virtualizer.getVirtualItems();

  return (
    <section
      className={`trace-pane obs-pane${fullscreen ? ' fullscreen' : ''}`}
      aria-label="Trace"
      data-testid="trace-pane"
      onKeyDown={onKeyDown}
    >
      <div className="obs-toolbar">
        <span className="obs-summary" data-testid="trace-summary">
          {shown.length === rows.length ? `${rows.length} spans` : `${shown.length} of ${rows.length} spans`}
          {spans.length > 0 && ` · ${formatDuration(elapsed)}`}
          {totals.cost !== undefined && ` · ${formatCost(totals.cost)}`}
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
      <div className="obs-filters">
        <select
          aria-label="Filter by kind"
          value={filter.kind ?? ''}
          onChange={(e) => setFilter({ ...filter, kind: (e.target.value || undefined) as SpanKind | undefined })}
        >
          <option value="">All kinds</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        {tools.length > 0 && (
          <select
            aria-label="Filter by tool"
            value={filter.tool ?? ''}
            onChange={(e) => setFilter({ ...filter, tool: e.target.value || undefined })}
          >
            <option value="">All tools</option>
            {tools.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        )}
        <select
          aria-label="Filter by outcome"
          value={filter.status ?? ''}
          onChange={(e) => setFilter({ ...filter, status: (e.target.value || undefined) as SpanStatus | undefined })}
        >
          <option value="">Any outcome</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Search inputs and outputs"
          aria-label="Search spans"
          value={filter.search ?? ''}
          onChange={(e) => setFilter({ ...filter, search: e.target.value })}
        />
      </div>
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
          <AxisHeader duration={axis.end - axis.start} />
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
              {items.map((item) => {
                const row = shown[item.index];
                if (!row) return null;
                const own = row.sessionId === undefined;
                const childId = row.span.childSessionId;
                const childIsOpen = childId !== undefined && childOpen.has(row.key);
                return (
                  <SpanRowView
                    key={item.key}
                    row={row}
                    index={item.index}
                    start={item.start}
                    axis={axis}
                    // Only an open span reads the clock: the other rows skip re-rendering on each tick.
                    now={row.span.status === 'open' ? now : 0}
                    expanded={expanded.has(row.key)}
                    active={row.key === activeId}
                    cost={
                      row.span.kind === 'model'
                        ? spanCost(row.span, own ? provider : children.get(row.sessionId!)?.provider)
                        : undefined
                    }
                    measure={virtualizer.measureElement}
                    onSelect={onSelect}
                    // The chat beside the pane is this session's: a nested span has no message in it.
                    onJump={own ? onJump : undefined}
                    childOpen={childId === undefined ? undefined : childIsOpen}
                    childNote={
                      !childIsOpen
                        ? undefined
                        : nested.openSessions.includes(childId)
                          ? childTraceNote(children.get(childId), agentWord(row.span.kind))
                          : // Not asked for: its session is this one or one it is nested in (a cycle).
                            'Its session is already shown above; it is not nested again.'
                    }
                    onToggleChild={toggleChild}
                    imageInputs={
                      doc && own && row.span.kind === 'model' && expanded.has(row.key)
                        ? imageInputsOfTurn(doc, row.span.turn)
                        : undefined
                    }
                  />
                );
              })}
            </div>
            {shown.length === 0 && <p className="empty-state">No span matches these filters.</p>}
          </div>
        </>
      )}
    </section>
  );
}

function agentWord(kind: SpanKind): string {
  return kind === 'subagent' ? 'subagent' : 'agent';
}

/** Time labels over the bars, on the same grid as a row so they line up with the track. */
function AxisHeader({ duration }: { duration: number }) {
  return (
    <div className="span-axis span-line" aria-hidden>
      <div className="span-track">
        {[0, 0.25, 0.5, 0.75].map((f) => (
          <span key={f} style={{ left: `${f * 100}%` }}>
            {f === 0 ? '0' : formatDuration(duration * f)}
          </span>
        ))}
      </div>
    </div>
  );
}

/** Messages a span belongs to, best first: its own, the assistant message that made its tool call, its result. */
/** The images a turn's user messages sent to the model (the span keeps a count, never the bytes). */
function imageInputsOfTurn(doc: Y.Doc, turn: number): Attachment[] {
  return listMessages(doc)
    .filter((m) => m.role === 'user' && m.turn === turn)
    .flatMap((m) => m.attachments ?? [])
    .filter((a) => a.kind === 'image');
}

function messageIdsForSpan(span: Span, doc: Y.Doc): string[] {
  const messages = listMessages(doc);
  const ids = [
    span.messageId,
    span.toolCallId ? messages.find((m) => m.toolCalls?.some((c) => c.id === span.toolCallId))?.id : undefined,
    messages.find((m) => m.spanId === span.id)?.id,
    span.toolCallId ? messages.find((m) => m.toolCallId === span.toolCallId)?.id : undefined,
  ];
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

function sessionTotals(spans: readonly Span[], provider: string | undefined): { cost: number | undefined } {
  let cost: number | undefined;
  for (const s of spans) {
    if (s.kind !== 'model') continue;
    const c = spanCost(s, provider);
    if (c !== undefined) cost = (cost ?? 0) + c;
  }
  return { cost };
}

export default TracePane;
