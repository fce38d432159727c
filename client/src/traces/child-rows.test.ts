import type { Span } from '@boocode/shared/doc/session-schema';
import { describe, expect, it } from 'vitest';
import { type ChildTrace, childTraceNote, nestChildRows } from './child-rows.ts';
import { barGeometry, spanRows, timeAxis } from './span-rows.ts';

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

const ready = (spans: Span[]): ChildTrace => ({ status: 'ready', spans });

// The lead: a model call, then spawn_subagent with the subagent span under it, then another model call.
const lead = [
  span('m1', 0, 100, { kind: 'model' }),
  span('spawn', 100, 110, { name: 'spawn_subagent' }),
  span('sub', 105, 110, { kind: 'subagent', name: 'alpha', parentId: 'spawn', childSessionId: 'ses_child' }),
  span('m2', 110, 200, { kind: 'model' }),
];
// The child ran after the lead's turn: its spans start and end later than anything of the lead's.
const child = [
  span('c_m', 300, 400, { kind: 'model' }),
  span('c_t', 400, 450, { parentId: 'c_m' }),
  span('c_w', 460, 500, { kind: 'workflow-agent', childSessionId: 'ses_grand' }),
];
const grand = [span('g_m', 470, 490, { kind: 'model' })];

const view = (rows: { key: string; depth: number }[]) => rows.map((r) => `${r.key}:${r.depth}`);

describe('nestChildRows', () => {
  const rows = spanRows(lead);

  it('a collapsed child adds nothing, and the rows pass through untouched', () => {
    const out = nestChildRows(rows, lead, new Set(), new Map([['ses_child', ready(child)]]), 'ses_lead');
    expect(out.rows).toBe(rows);
    expect(out.spans).toBe(lead);
    expect(out.openSessions).toEqual([]);
  });

  it("nests an open child's spans right under the span that started it, one level deeper, in tree order", () => {
    const out = nestChildRows(rows, lead, new Set(['sub']), new Map([['ses_child', ready(child)]]), 'ses_lead');
    expect(view(out.rows)).toEqual(['m1:0', 'spawn:0', 'sub:1', 'sub/c_m:2', 'sub/c_t:3', 'sub/c_w:2', 'm2:0']);
    expect(out.openSessions).toEqual(['ses_child']);
    const byKey = new Map(out.rows.map((r) => [r.key, r]));
    expect(byKey.get('sub/c_m')).toMatchObject({ parentKey: 'sub', sessionId: 'ses_child' });
    expect(byKey.get('sub/c_t')).toMatchObject({ parentKey: 'sub/c_m', sessionId: 'ses_child' });
    expect(byKey.get('m1')?.sessionId).toBeUndefined();
  });

  it('puts both sessions on one time axis, so a child that ran later shows where it ran', () => {
    const out = nestChildRows(rows, lead, new Set(['sub']), new Map([['ses_child', ready(child)]]), 'ses_lead');
    const axis = timeAxis(out.spans, 1000);
    expect(axis).toEqual({ start: 0, end: 500 });
    const cm = out.rows.find((r) => r.key === 'sub/c_m')!.span;
    expect(barGeometry(cm, axis, 1000)).toEqual({ left: 0.6, width: 0.2 });
    expect(barGeometry(lead[0]!, axis, 1000)).toEqual({ left: 0, width: 0.2 });
  });

  it('nests grandchildren when their row is open too, and only asks for sessions whose rows are shown', () => {
    const children = new Map([
      ['ses_child', ready(child)],
      ['ses_grand', ready(grand)],
    ]);
    const out = nestChildRows(rows, lead, new Set(['sub', 'sub/c_w']), children, 'ses_lead');
    expect(view(out.rows).slice(5, 7)).toEqual(['sub/c_w:2', 'sub/c_w/g_m:3']);
    expect(out.openSessions).toEqual(['ses_child', 'ses_grand']);
    // The child folded: the grandchild's row is gone, so its doc is no longer asked for.
    const folded = nestChildRows(rows, lead, new Set(['sub/c_w']), children, 'ses_lead');
    expect(folded.rows).toHaveLength(rows.length);
    expect(folded.openSessions).toEqual([]);
  });

  it('adds no rows while the child loads or is not on this device, and says why', () => {
    for (const trace of [
      { status: 'loading', spans: [] },
      { status: 'missing', spans: [] },
    ] as ChildTrace[]) {
      const out = nestChildRows(rows, lead, new Set(['sub']), new Map([['ses_child', trace]]), 'ses_lead');
      expect(view(out.rows)).toEqual(view(rows));
      expect(out.openSessions).toEqual(['ses_child']);
    }
    expect(childTraceNote(undefined, 'subagent')).toBe("Loading the subagent's spans…");
    expect(childTraceNote({ status: 'missing', spans: [] }, 'subagent')).toContain('not on this device yet');
    expect(childTraceNote(ready([]), 'agent')).toBe('The agent has no spans yet.');
    expect(childTraceNote(ready(grand), 'agent')).toBeUndefined();
  });

  it('does not nest a session inside itself (a cycle of childSessionIds cannot loop)', () => {
    const loop = [span('back', 310, 320, { kind: 'subagent', childSessionId: 'ses_lead' })];
    const out = nestChildRows(
      rows,
      lead,
      new Set(['sub', 'sub/back']),
      new Map([['ses_child', ready(loop)]]),
      'ses_lead',
    );
    expect(view(out.rows)).toContain('sub/back:2');
    expect(out.openSessions).toEqual(['ses_child']);
    expect(out.rows).toHaveLength(rows.length + 1);
  });

  it('keeps keys unique when two spans name the same child session', () => {
    const twice = [...lead, span('again', 600, 700, { kind: 'workflow-agent', childSessionId: 'ses_child' })];
    const out = nestChildRows(
      spanRows(twice),
      twice,
      new Set(['sub', 'again']),
      new Map([['ses_child', ready(child)]]),
      'ses_lead',
    );
    const keys = out.rows.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k.endsWith('/c_m'))).toEqual(['sub/c_m', 'again/c_m']);
  });

  it('nests a 5,000-span child into 10,000 rows quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      span(`s${i}`, i, i + 1, i === 0 ? { kind: 'subagent', childSessionId: 'ses_big' } : {}),
    );
    const big = Array.from({ length: 5_000 }, (_, i) => span(`b${i}`, 20_000 + i, 20_001 + i));
    const base = spanRows(many);
    const t0 = performance.now();
    const out = nestChildRows(base, many, new Set(['s0']), new Map([['ses_big', ready(big)]]), 'ses_lead');
    expect(out.rows).toHaveLength(15_000);
    expect(out.rows[1]?.key).toBe('s0/b0');
    expect(timeAxis(out.spans, 0).end).toBe(25_000);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
