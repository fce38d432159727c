import { describe, expect, it } from 'vitest';
import {
  childSessionStarters,
  indexSpanTree,
  spanEndAt,
  subtreeOrder,
  turnExtents,
  unreachedSpans,
} from './session-tree.ts';
import { testSpan as span } from './test-spans.ts';

describe('the session tree', () => {
  it('groups roots by turn in turn order, each by start time', () => {
    const tree = indexSpanTree([
      span('b2', 2, 50, 60),
      span('a1', 1, 10, 20),
      span('m2', 2, 40, 45),
      span('c1', 1, 5, 8),
    ]);
    expect(tree.turns.map((t) => [t.turn, t.roots.map((s) => s.id)])).toEqual([
      [1, ['c1', 'a1']],
      [2, ['m2', 'b2']],
    ]);
  });

  it('hangs a span under its parent in the session, even from another turn', () => {
    const spans = [
      span('spawn', 1, 0, 5, { name: 'spawn_subagent' }),
      span('sub', 2, 5, 90, { kind: 'subagent', parentId: 'spawn' }),
      span('m', 2, 100, 120, { kind: 'model' }),
    ];
    const tree = indexSpanTree(spans);
    expect(tree.turns.map((t) => t.roots.map((s) => s.id))).toEqual([['spawn'], ['m']]);
    const order = subtreeOrder(tree.turns[0]!.roots, tree.children);
    expect(order.map((n) => `${n.span.id}:${n.depth}:${n.children}`)).toEqual(['spawn:0:1', 'sub:1:0']);
  });

  it('makes a span whose parent is missing a root of its turn, and lists a parent cycle flat', () => {
    const spans = [
      span('x', 1, 0, 1, { parentId: 'gone' }),
      span('p', 1, 2, 3, { parentId: 'q' }),
      span('q', 1, 4, 5, { parentId: 'p' }),
    ];
    const tree = indexSpanTree(spans);
    const seen = new Set<string>();
    expect(subtreeOrder(tree.turns[0]!.roots, tree.children, seen).map((n) => n.span.id)).toEqual(['x']);
    expect(unreachedSpans(spans, seen).map((s) => s.id)).toEqual(['p', 'q']);
  });

  it('gives each turn its first start and last end; a running span ends at now', () => {
    const spans = [span('a', 1, 10, 30), span('b', 1, 20, 25), span('c', 2, 40, undefined)];
    expect(turnExtents(spans, (s) => spanEndAt(s, 100))).toEqual([
      { turn: 1, start: 10, end: 30 },
      { turn: 2, start: 40, end: 100 },
    ]);
    expect(spanEndAt(span('w', 1, 10, undefined, { status: 'awaiting-approval' }), 70)).toBe(70);
    expect(spanEndAt(span('i', 1, 10, undefined, { status: 'interrupted' }), 70)).toBe(10);
  });

  it('finds the span that started each child session: a subagent span before a tool naming it', () => {
    const lead = {
      id: 'ses_lead',
      spans: [
        span('spawn', 1, 0, 5, { childSessionId: 'ses_kid' }),
        span('sub', 1, 5, 90, { kind: 'subagent', parentId: 'spawn', childSessionId: 'ses_kid' }),
        span('self', 1, 6, 7, { childSessionId: 'ses_lead' }),
      ],
    };
    const kid = {
      id: 'ses_kid',
      spans: [span('wf', 1, 10, 20, { kind: 'workflow-agent', childSessionId: 'ses_grandkid' })],
    };
    const starters = childSessionStarters([lead, kid]);
    expect(starters.get('ses_kid')?.id).toBe('sub');
    expect(starters.get('ses_grandkid')?.id).toBe('wf');
    expect(starters.has('ses_lead')).toBe(false);
  });
});
