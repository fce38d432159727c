import type { Span } from '@boocode/shared/doc/session-schema';
import { describe, expect, it } from 'vitest';
import {
  approvalWait,
  barGeometry,
  filterRows,
  isTurnRow,
  liveAxis,
  type SpanRow,
  spanEnd,
  spanRows,
  type TraceRow,
  type TurnRow,
  timeAxis,
  traceRows,
  turnOpenByDefault,
} from './span-rows.ts';

const span = (id: string, startedAt: number, endedAt: number | undefined, extra: Partial<Span> = {}): Span => ({
  id,
  kind: 'tool',
  name: 'read_file',
  turn: 0,
  startedAt,
  status: endedAt === undefined ? 'open' : 'ok',
  ...(endedAt !== undefined ? { endedAt } : {}),
  ...extra,
});

describe('spanRows', () => {
  it('puts children right under their parent, siblings by start time', () => {
    const rows = spanRows([
      span('a', 0, 10),
      span('s', 10, 100, { kind: 'subagent' }),
      span('c', 30, 40),
      span('s2', 50, 60, { parentId: 's' }),
      span('s1', 20, 30, { parentId: 's' }),
    ]);
    expect(rows.map((r) => `${r.span.id}:${r.depth}`)).toEqual(['a:0', 's:0', 's1:1', 's2:1', 'c:0']);
  });

  it('keeps spans whose parent is missing or in a cycle', () => {
    const rows = spanRows([
      span('x', 0, 1, { parentId: 'gone' }),
      span('p', 2, 3, { parentId: 'q' }),
      span('q', 4, 5, { parentId: 'p' }),
    ]);
    expect(rows.map((r) => r.span.id).sort()).toEqual(['p', 'q', 'x']);
  });

  it('handles a deep chain without recursion', () => {
    const spans = Array.from({ length: 20_000 }, (_, i) => span(`s${i}`, i, i + 1, i ? { parentId: `s${i - 1}` } : {}));
    expect(spanRows(spans).at(-1)?.depth).toBe(19_999);
  });
});

describe('time axis', () => {
  it('ends at now while a span is open, and bars are fractions of it', () => {
    const spans = [span('a', 1000, 2000), span('b', 1500, undefined)];
    const axis = timeAxis(spans, 3000);
    expect(axis).toEqual({ start: 1000, end: 3000 });
    expect(barGeometry(spans[0]!, axis, 3000)).toEqual({ left: 0, width: 0.5 });
    expect(barGeometry(spans[1]!, axis, 3000)).toEqual({ left: 0.25, width: 0.75 });
  });

  it('while live, the axis keeps headroom and moves only when now passes its end', () => {
    const closed = { start: 0, end: 10_000 };
    const a = liveAxis(closed, 10_000, undefined);
    expect(a.end).toBe(12_000);
    expect(liveAxis(closed, 11_500, a)).toBe(a);
    expect(liveAxis(closed, 12_500, a).end).toBe(15_000);
  });

  it('an interrupted span without an end does not grow', () => {
    expect(spanEnd(span('i', 100, undefined, { status: 'interrupted' }), 5000)).toBe(100);
  });
});

describe('filterRows', () => {
  const rows = spanRows([
    span('m', 0, 1, { kind: 'model', name: 'deepseek-chat' }),
    span('r', 1, 2, { input: { path: 'src/app.ts' } }),
    span('g', 2, 3, { name: 'grep', status: 'error', error: { code: 'E', message: 'no match' } }),
  ]);
  it('filters by kind, tool, outcome and searches inputs and errors', () => {
    expect(filterRows(rows, { kind: 'model' }).map((r) => r.span.id)).toEqual(['m']);
    expect(filterRows(rows, { tool: 'grep' }).map((r) => r.span.id)).toEqual(['g']);
    expect(filterRows(rows, { status: 'error' }).map((r) => r.span.id)).toEqual(['g']);
    expect(filterRows(rows, { search: 'APP.TS' }).map((r) => r.span.id)).toEqual(['r']);
    expect(filterRows(rows, { search: 'no match' }).map((r) => r.span.id)).toEqual(['g']);
  });
});

describe('traceRows', () => {
  const spans = [
    span('m1', 0, 10, { turn: 1, kind: 'model' }),
    span('spawn', 10, 12, { turn: 1 }),
    span('sub', 12, 90, { turn: 1, kind: 'subagent', parentId: 'spawn' }),
    span('m2', 100, 110, { turn: 2, kind: 'model' }),
    span('t2', 110, 130, { turn: 2 }),
  ];
  const keys = (rows: readonly TraceRow[]) => rows.map((r) => (isTurnRow(r) ? r.key : `${r.key}:${r.depth}`));

  it('puts each turn’s row over its spans, in tree order', () => {
    const rows = traceRows(spans, () => true);
    expect(keys(rows)).toEqual(['turn:1', 'm1:0', 'spawn:0', 'sub:1', 'turn:2', 'm2:0', 't2:0']);
    const turn1 = rows[0] as TurnRow;
    expect(turn1).toMatchObject({ turn: 1, start: 0, end: 90, spanCount: 3, open: true, running: false });
    // A root's parent in the tree is its turn; a nested span's, its parent span.
    expect((rows[1] as SpanRow).parentKey).toBe('turn:1');
    expect((rows[3] as SpanRow).parentKey).toBe('spawn');
  });

  it('builds no rows for a closed turn and never walks its spans', () => {
    const walked: number[] = [];
    const rows = traceRows(spans, (turn) => {
      walked.push(turn);
      return turn === 2;
    });
    expect(keys(rows)).toEqual(['turn:1', 'turn:2', 'm2:0', 't2:0']);
    expect((rows[0] as TurnRow).open).toBe(false);
    expect(walked).toEqual([1, 2]);
  });

  it('opens every turn of a small session and only the last of a big one', () => {
    expect(turnOpenByDefault(1, 9, 500)).toBe(true);
    expect(turnOpenByDefault(1, 9, 10_000)).toBe(false);
    expect(turnOpenByDefault(9, 9, 10_000)).toBe(true);
  });

  it('keeps a turn’s row when the filter keeps one of its spans', () => {
    const rows = traceRows(spans, () => true);
    expect(keys(filterRows(rows, { kind: 'subagent' }))).toEqual(['turn:1', 'sub:1']);
    expect(keys(filterRows(rows, { search: 'nothing like this' }))).toEqual([]);
  });

  it('marks a turn with a running span (or one waiting for approval) as running', () => {
    const rows = traceRows([...spans, span('w', 140, undefined, { turn: 2, status: 'awaiting-approval' })], () => true);
    expect((rows.find((r) => r.key === 'turn:2') as TurnRow).running).toBe(true);
    expect((rows[0] as TurnRow).running).toBe(false);
  });
});

describe('approvalWait', () => {
  const approval = { kind: 'ask' as const, reason: 'writes a file', canAlwaysAllow: true, askedAt: 20 };

  it('runs from the question to the answer', () => {
    const s = span('w', 10, 80, { approval: { ...approval, answer: 'approve', answeredAt: 50 } });
    expect(approvalWait(s, 1000)).toEqual({ start: 20, end: 50 });
  });

  it('runs to now while the question is open, and is absent when none was asked', () => {
    const waiting = span('w', 10, undefined, { status: 'awaiting-approval', approval });
    expect(approvalWait(waiting, 70)).toEqual({ start: 20, end: 70 });
    expect(approvalWait(span('x', 10, 20), 70)).toBeUndefined();
  });
});
