// Which turns of the waterfall are open, and the session's own rows built for them: a collapsed turn builds
// none of its spans' rows. A big session opens only its last turn; a filter opens every turn (a match is
// shown wherever it is).
import type { Span } from '@boocode/shared/doc/session-schema';
import { useCallback, useMemo, useState } from 'react';
import { traceRows, turnOpenByDefault } from './span-rows.ts';

export function useTurnRows(spans: readonly Span[], filtering: boolean) {
  // Only what the user changed; the rest follows turnOpenByDefault.
  const [turnOpen, setTurnOpen] = useState<ReadonlyMap<number, boolean>>(() => new Map());
  const lastTurn = useMemo(() => spans.reduce((m, s) => Math.max(m, s.turn), Number.NEGATIVE_INFINITY), [spans]);
  const isOpen = useCallback(
    (turn: number) => filtering || (turnOpen.get(turn) ?? turnOpenByDefault(turn, lastTurn, spans.length)),
    [filtering, turnOpen, lastTurn, spans.length],
  );
  const ownRows = useMemo(() => traceRows(spans, isOpen), [spans, isOpen]);
  const toggleTurn = useCallback(
    (turn: number, open?: boolean) => {
      setTurnOpen((prev) => {
        const next = new Map(prev);
        next.set(turn, open ?? !isOpen(turn));
        return next;
      });
    },
    [isOpen],
  );
  const openTurn = useCallback((turn: number) => toggleTurn(turn, true), [toggleTurn]);
  return { ownRows, toggleTurn, openTurn };
}

/** The turn whose row a span is shown under: its top ancestor's (a span nests under its parent's turn). */
export function rootTurn(span: Span, spans: readonly Span[]): number {
  const byId = new Map(spans.map((s) => [s.id, s]));
  let cur = span;
  const seen = new Set<string>();
  while (cur.parentId !== undefined && !seen.has(cur.id)) {
    seen.add(cur.id);
    const parent = byId.get(cur.parentId);
    if (!parent) break;
    cur = parent;
  }
  return cur.turn;
}
