// The waterfall's rows, windowed: only the rows in view (and a few either side) are in the DOM, so a
// 10,000-span session scrolls smoothly. Each row knows its cost, whether its child session is nested and why
// it shows no rows yet, and (expanded model calls) the images its turn sent.
import type { SessionMeta, Span, SpanKind } from '@boocode/shared/doc/session-schema';
import { isSpanRunning } from '@boocode/shared/trace-tree/session-tree';
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { type RefObject, useCallback, useEffect } from 'react';
import type * as Y from 'yjs';
import { type ChildTrace, childTraceNote } from './child-rows.ts';
import { SpanRowView } from './SpanRowView.tsx';
import { spanCost } from './span-cost.ts';
import { imageInputsOfTurn } from './span-messages.ts';
import { isTurnRow, type TimeAxis, type TraceRow } from './span-rows.ts';
import { TurnRowView } from './TurnRowView.tsx';

/** Folded row heights, as laid out by styles.css (.span-line rows + padding + border). */
const ROW_HEIGHT = 46;
const ROW_HEIGHT_FULLSCREEN = 40;

export type RowVirtualizer = Virtualizer<HTMLDivElement, Element>;

export function useRowVirtualizer(
  rows: readonly TraceRow[],
  fullscreen: boolean,
  scrollRef: RefObject<HTMLDivElement | null>,
): RowVirtualizer {
  // A stable key function: the virtualiser recomputes every row's offset (10,000 of them) when it changes.
  const getItemKey = useCallback((i: number) => rows[i]?.key ?? i, [rows]);
  // The exact height of a folded row, so measuring a row that scrolls in changes nothing.
  const estimateSize = useCallback(() => (fullscreen ? ROW_HEIGHT_FULLSCREEN : ROW_HEIGHT), [fullscreen]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey,
    overscan: 12,
  });
  // Row heights differ between the side pane and full screen: forget the measured ones.
  // biome-ignore lint/correctness/useExhaustiveDependencies: fullscreen is the trigger, not a value read
  useEffect(() => virtualizer.measure(), [fullscreen, virtualizer]);
  return virtualizer;
}

export interface TraceRowsProps {
  rows: readonly TraceRow[];
  virtualizer: RowVirtualizer;
  /** The axis a row is drawn on (its turn's, the session's or the zoomed range). */
  axisOf: (row: TraceRow) => TimeAxis;
  /** Each turn is on its own axis (its row shows its ticks). */
  perTurn: boolean;
  onZoom: (range: TimeAxis) => void;
  now: number;
  expanded: ReadonlySet<string>;
  activeId: string | undefined;
  doc: Y.Doc | undefined;
  provider: string | undefined;
  childTraces: ReadonlyMap<string, ChildTrace>;
  childOpen: ReadonlySet<string>;
  /** Child sessions whose docs are held open (a child on a cycle is not). */
  openSessions: readonly string[];
  onSelect: (index: number, toggle: boolean) => void;
  onJump: (span: Span) => void;
  onToggleChild: (key: string, open?: boolean) => void;
}

export function TraceRows(p: TraceRowsProps) {
  const { virtualizer, childTraces: children, childOpen } = p;
  return (
    <>
      {virtualizer.getVirtualItems().map((item) => {
        const row = p.rows[item.index];
        if (!row) return null;
        if (isTurnRow(row)) {
          return (
            <TurnRowView
              key={item.key}
              row={row}
              index={item.index}
              start={item.start}
              axis={p.axisOf(row)}
              ownAxis={p.perTurn}
              now={row.running ? p.now : 0}
              active={row.key === p.activeId}
              measure={virtualizer.measureElement}
              onSelect={p.onSelect}
              onZoom={p.onZoom}
            />
          );
        }
        const own = row.sessionId === undefined;
        const childId = row.span.childSessionId;
        const childIsOpen = childId !== undefined && childOpen.has(row.key);
        const expanded = p.expanded.has(row.key);
        return (
          <SpanRowView
            key={item.key}
            row={row}
            index={item.index}
            start={item.start}
            axis={p.axisOf(row)}
            // Only a running span reads the clock: the other rows skip re-rendering on each tick.
            now={isSpanRunning(row.span) ? p.now : 0}
            expanded={expanded}
            active={row.key === p.activeId}
            cost={
              row.span.kind === 'model'
                ? spanCost(row.span, own ? p.provider : children.get(row.sessionId!)?.provider)
                : undefined
            }
            measure={virtualizer.measureElement}
            onSelect={p.onSelect}
            // The chat beside the pane is this session's: a nested span has no message in it.
            onJump={own ? p.onJump : undefined}
            childOpen={childId === undefined ? undefined : childIsOpen}
            childNote={
              !childIsOpen
                ? undefined
                : p.openSessions.includes(childId)
                  ? childTraceNote(children.get(childId), agentWord(row.span.kind))
                  : // Not asked for: its session is this one or one it is nested in (a cycle).
                    'Its session is already shown above; it is not nested again.'
            }
            onToggleChild={p.onToggleChild}
            doc={own ? p.doc : undefined}
            imageInputs={
              p.doc && own && row.span.kind === 'model' && expanded
                ? imageInputsOfTurn(p.doc, row.span.turn)
                : undefined
            }
          />
        );
      })}
    </>
  );
}

function agentWord(kind: SpanKind): string {
  return kind === 'subagent' ? 'subagent' : 'agent';
}

/** The session's own cost: a child's is its own session's (and is shown on its rows). */
export function sessionCost(spans: readonly Span[], provider: SessionMeta['provider']): number | undefined {
  let cost: number | undefined;
  for (const s of spans) {
    if (s.kind !== 'model') continue;
    const c = spanCost(s, provider);
    if (c !== undefined) cost = (cost ?? 0) + c;
  }
  return cost;
}
