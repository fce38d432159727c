// The waterfall's keys (the WAI-ARIA tree pattern): arrows move, Home/End/PageUp/PageDown jump, Enter or
// Space toggles a row's details, ArrowRight opens (a started child session first, then the details),
// ArrowLeft closes (details first, then the child session) or moves to the parent row. On a turn's row,
// Enter toggles it, ArrowRight opens it (or moves into it), ArrowLeft closes it.
import { isTurnRow, type TraceRow } from './span-rows.ts';

export interface TreeKeyContext {
  rows: readonly TraceRow[];
  activeIndex: number;
  expanded: ReadonlySet<string>;
  childOpen: ReadonlySet<string>;
  /** Makes row `index` (already clamped) the active one and scrolls it into view. */
  moveTo: (index: number) => void;
  toggle: (key: string, open?: boolean) => void;
  toggleChild: (key: string, open?: boolean) => void;
  toggleTurn: (turn: number, open?: boolean) => void;
}

/** Acts on `key`; returns false when the key is not the tree's (the caller lets it through). */
export function handleTreeKey(key: string, c: TreeKeyContext): boolean {
  const last = c.rows.length - 1;
  const move = (to: number) => c.moveTo(Math.max(0, Math.min(last, to)));
  const cur = c.activeIndex;
  const row = c.rows[cur];
  if (isTurnRow(row)) {
    switch (key) {
      case 'Enter':
      case ' ':
        c.toggleTurn(row.turn);
        return true;
      case 'ArrowRight':
        if (!row.open) c.toggleTurn(row.turn, true);
        else move(cur + 1);
        return true;
      case 'ArrowLeft':
        if (row.open) c.toggleTurn(row.turn, false);
        return true;
    }
  }
  const span = isTurnRow(row) ? undefined : row;
  const id = span?.key;
  // A row that started a child session opens the session's spans first (ArrowRight), then its details.
  const nestsChild = span?.span.childSessionId !== undefined;
  switch (key) {
    case 'ArrowDown':
      move(cur + 1);
      return true;
    case 'ArrowUp':
      move(cur < 0 ? 0 : cur - 1);
      return true;
    case 'Home':
      move(0);
      return true;
    case 'End':
      move(last);
      return true;
    case 'PageDown':
      move(cur + 10);
      return true;
    case 'PageUp':
      move(cur - 10);
      return true;
    case 'Enter':
    case ' ':
      if (id) c.toggle(id);
      return true;
    case 'ArrowRight':
      if (id && nestsChild && !c.childOpen.has(id)) c.toggleChild(id, true);
      else if (id) c.toggle(id, true);
      return true;
    case 'ArrowLeft': {
      if (id && c.expanded.has(id)) c.toggle(id, false);
      else if (id && c.childOpen.has(id)) c.toggleChild(id, false);
      else {
        const parentKey = span?.parentKey;
        const p = parentKey ? c.rows.findIndex((r) => r.key === parentKey) : -1;
        if (p >= 0) move(p);
      }
      return true;
    }
    default:
      return false;
  }
}
