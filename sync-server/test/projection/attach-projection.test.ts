import { sessionDocName } from '@boocode/shared/doc/names';
import { closeSpan, openSpan } from '@boocode/shared/doc/spans';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { attachProjection } from '../../src/projection/attach-projection.ts';
import type { ProjectionResult, SessionProjector } from '../../src/projection/session-projector.ts';

function fakeProjector() {
  const calls: number[] = [];
  const projector: SessionProjector = {
    ready: async () => {},
    project: async (_name, doc) => {
      calls.push(doc.getMap('spans').size);
      return { sessionId: 's' } as ProjectionResult;
    },
    forget: () => {},
  };
  return { projector, calls };
}

function fakeTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    setTimer: (fn: () => void) => {
      pending.set(++next, fn);
      return next;
    },
    clearTimer: (h: unknown) => pending.delete(h as number),
    fire() {
      const fns = [...pending.values()];
      pending.clear();
      for (const fn of fns) fn();
    },
    get size() {
      return pending.size;
    },
  };
}

describe('attachProjection', () => {
  it('projects the whole doc on attach, then once per window however many updates arrive', async () => {
    const { projector, calls } = fakeProjector();
    const timers = fakeTimers();
    const doc = new Y.Doc();
    openSpan(doc, { id: 'spn_a', kind: 'model', name: 'chat', turn: 1, startedAt: 1 });
    const attached = attachProjection(projector, sessionDocName('ses_x'), doc, timers);
    expect(calls).toEqual([1]);
    for (let i = 0; i < 50; i++) openSpan(doc, { id: `spn_${i}`, kind: 'tool', name: 't', turn: 1, startedAt: 2 + i });
    expect(timers.size).toBe(1);
    timers.fire();
    expect(calls).toEqual([1, 51]);
    closeSpan(doc, 'spn_a', { status: 'ok', endedAt: 100 });
    await attached.detach();
    expect(calls).toEqual([1, 51, 51]);
    expect(timers.size).toBe(0);
    openSpan(doc, { id: 'spn_late', kind: 'model', name: 'chat', turn: 2, startedAt: 200 });
    expect(timers.size).toBe(0);
  });

  it('reports a failed projection instead of leaving an unhandled rejection, and retries on the next update', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const projector: SessionProjector = {
      ready: async () => {},
      project: async () => {
        if (fail) throw new Error('database down');
        return undefined;
      },
      forget: () => {},
    };
    const timers = fakeTimers();
    const doc = new Y.Doc();
    const attached = attachProjection(projector, sessionDocName('ses_y'), doc, {
      ...timers,
      onError: (e) => errors.push(e),
    });
    await expect(attached.flush()).rejects.toThrow('database down');
    fail = false;
    openSpan(doc, { id: 'spn_a', kind: 'model', name: 'chat', turn: 1, startedAt: 1 });
    timers.fire();
    await attached.detach();
    expect(errors.length).toBe(2);
  });
});
