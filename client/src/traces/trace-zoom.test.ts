import { testSpan as span } from '@boocode/shared/trace-tree/test-spans';
import { describe, expect, it } from 'vitest';
import { type TraceRow, traceRows } from './span-rows.ts';
import { axisForRow, axisTicks, rangeFromDrag, turnAxes, zoomLabel } from './trace-zoom.ts';

describe('zoom range maths', () => {
  const axis = { start: 1000, end: 2000 };

  it('turns a drag into the time range under it, in either direction, clamped to the axis', () => {
    expect(rangeFromDrag(axis, 0.25, 0.5)).toEqual({ start: 1250, end: 1500 });
    expect(rangeFromDrag(axis, 0.5, 0.25)).toEqual({ start: 1250, end: 1500 });
    expect(rangeFromDrag(axis, -0.5, 1.7)).toEqual({ start: 1000, end: 2000 });
  });

  it('takes a press without a drag for a click, not a zoom', () => {
    expect(rangeFromDrag(axis, 0.4, 0.4)).toBeUndefined();
    expect(rangeFromDrag(axis, 0.4, 0.405)).toBeUndefined();
    expect(rangeFromDrag(axis, Number.NaN, 0.5)).toEqual({ start: 1000, end: 1500 });
  });

  it('draws a row on its turn’s axis, the session’s, or the zoomed range', () => {
    const session = { start: 0, end: 10_000 };
    const turn = { start: 4000, end: 5000 };
    expect(axisForRow({ mode: 'turn' }, turn, session)).toEqual(turn);
    expect(axisForRow({ mode: 'turn' }, undefined, session)).toEqual(session);
    expect(axisForRow({ mode: 'session' }, turn, session)).toEqual(session);
    expect(axisForRow({ mode: 'range', start: 4500, end: 4600 }, turn, session)).toEqual({ start: 4500, end: 4600 });
  });

  it('labels ticks as time since the origin', () => {
    expect(axisTicks({ start: 2000, end: 6000 }, 0).map((t) => t.label)).toEqual([
      '2.00 s',
      '3.00 s',
      '4.00 s',
      '5.00 s',
    ]);
    expect(axisTicks({ start: 0, end: 4000 }, 0)[0]!.label).toBe('0');
    expect(zoomLabel({ mode: 'range', start: 3000, end: 5000 }, 1000)).toBe('Zoomed to 2.00 s – 4.00 s');
  });
});

describe('turn axes', () => {
  const spans = [span('a', 1, 0, 1000), span('b', 1, 500, 3000), span('c', 2, 10_000, 10_500)];
  const rows = traceRows(spans, () => true);

  it('fits each turn to its own spans', () => {
    const axes = turnAxes(rows, 0, new Map());
    expect(axes.get('turn:1')).toEqual({ start: 0, end: 3000 });
    expect(axes.get('turn:2')).toEqual({ start: 10_000, end: 10_500 });
  });

  it('widens a turn by the rows shown under it (a nested child session that ran on)', () => {
    const child: TraceRow = { span: span('k', 1, 2000, 8000), depth: 2, children: 0, key: 'b/k', turnKey: 'turn:1' };
    const axes = turnAxes([...rows.slice(0, 3), child, ...rows.slice(3)], 0, new Map());
    expect(axes.get('turn:1')).toEqual({ start: 0, end: 8000 });
  });

  it('keeps a settled turn’s axis object, so its rows need not re-render while another turn runs', () => {
    const live = traceRows([...spans, span('open', 2, 10_600, undefined)], () => true);
    const first = turnAxes(live, 11_000, new Map());
    const next = turnAxes(live, 11_020, first);
    expect(next.get('turn:1')).toBe(first.get('turn:1'));
    expect(next.get('turn:2')!.end).toBeGreaterThanOrEqual(11_020);
  });
});
