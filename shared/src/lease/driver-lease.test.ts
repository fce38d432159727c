import { createDocRelay } from '@boocode/testkit/doc-relay';
import { createVirtualClock, settle } from '@boocode/testkit/virtual-clock';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getLease } from '../doc/lease.ts';
import { claimLease, deviceOfDriver, type HeldLease, hostDriverId, isHostDriver, LeaseWatch } from './driver-lease.ts';

const TIMING = { beatMs: 100, staleMs: 300, settleMs: 50 };

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('driver lease rules', () => {
  it('claims a free lease, beats it, and frees it on release', async () => {
    const clock = createVirtualClock();
    const doc = new Y.Doc();
    const watch = new LeaseWatch(clock.now, TIMING);
    expect(watch.judge('d/turn', getLease(doc, 'turn'), 'a', { connected: true })).toBe('free');
    let held: HeldLease | undefined;
    void claimLease(doc, 'turn', { holder: 'a', clock, timing: TIMING }).then((h) => {
      held = h;
    });
    await clock.advance(TIMING.settleMs + 1);
    expect(held?.stillMine()).toBe(true);
    expect(getLease(doc, 'turn')).toMatchObject({ holder: 'a', state: 'held', epoch: 1 });
    const stop = held!.startBeating(clock, TIMING.beatMs);
    await clock.advance(TIMING.beatMs * 3 + 1);
    expect(getLease(doc, 'turn')?.beat).toBe(4);
    stop();
    held!.release();
    expect(getLease(doc, 'turn')?.state).toBe('released');
    expect(held!.lost.aborted).toBe(true);
  });

  it('judges a lease whose beat moves as alive, and one whose beat stopped for staleMs as abandoned', async () => {
    const clock = createVirtualClock();
    const doc = new Y.Doc();
    let held: HeldLease | undefined;
    void claimLease(doc, 'turn', { holder: 'dev1/tab1', clock, timing: TIMING }).then((h) => {
      held = h;
    });
    await clock.advance(TIMING.settleMs + 1);
    const stop = held!.startBeating(clock, TIMING.beatMs);
    const watch = new LeaseWatch(clock.now, TIMING);
    const judge = () => watch.judge('d/turn', getLease(doc, 'turn'), 'host:h', { connected: true });
    for (let i = 0; i < 10; i++) {
      expect(judge()).toBe('alive');
      await clock.advance(TIMING.beatMs);
    }
    stop(); // the holder dies without a word
    expect(judge()).toBe('alive');
    await clock.advance(TIMING.staleMs - 1);
    expect(judge()).toBe('alive');
    await clock.advance(2);
    expect(judge()).toBe('abandoned');
  });

  it('never judges another device abandoned while offline: silence proves nothing without a connection', async () => {
    const clock = createVirtualClock();
    const doc = new Y.Doc();
    void claimLease(doc, 'turn', { holder: 'dev1/tab1', clock, timing: TIMING });
    await clock.advance(TIMING.settleMs + 1);
    const watch = new LeaseWatch(clock.now, TIMING);
    const judge = (connected: boolean) => watch.judge('k', getLease(doc, 'turn'), 'dev2/tab9', { connected });
    expect(judge(false)).toBe('unknown');
    await clock.advance(TIMING.staleMs * 5);
    expect(judge(false)).toBe('unknown');
    // Back online: the clock starts counting from now, not from before the outage.
    expect(judge(true)).toBe('alive');
    await clock.advance(TIMING.staleMs + 1);
    expect(judge(true)).toBe('abandoned');
  });

  it('takes a lease at once when the probe says its holder is gone, and never when it says alive', async () => {
    const clock = createVirtualClock();
    const doc = new Y.Doc();
    void claimLease(doc, 'turn', { holder: 'host:h1', clock, timing: TIMING });
    await clock.advance(TIMING.settleMs + 1);
    const watch = new LeaseWatch(clock.now, TIMING);
    const lease = getLease(doc, 'turn');
    expect(watch.judge('k', lease, 'dev/tab', { connected: true, probe: () => 'gone' })).toBe('abandoned');
    await clock.advance(TIMING.staleMs * 3);
    expect(watch.judge('k2', lease, 'dev/tab', { connected: true, probe: () => 'alive' })).toBe('alive');
    await clock.advance(TIMING.staleMs * 3);
    expect(watch.judge('k2', lease, 'dev/tab', { connected: true, probe: () => 'alive' })).toBe('alive');
  });

  it('two concurrent claims through a server converge on one winner; the loser backs off (seeded)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const clock = createVirtualClock();
      const relay = createDocRelay({ clock, random: seeded(seed), maxDelayMs: 20 });
      const a = relay.join(new Y.Doc());
      const b = relay.join(new Y.Doc());
      const results: Record<string, HeldLease | undefined | 'pending'> = { a: 'pending', b: 'pending' };
      for (const [name, r] of [
        ['a', a],
        ['b', b],
      ] as const) {
        void claimLease(r.doc, 'turn', {
          holder: name,
          clock,
          timing: TIMING,
          whenStored: () => r.whenStored(),
        }).then((h) => {
          results[name] = h;
        });
      }
      await clock.runUntil(() => results.a !== 'pending' && results.b !== 'pending', 2000);
      await clock.advance(200);
      const winners = Object.entries(results).filter(([, h]) => h && h !== 'pending' && h.stillMine());
      expect(winners.length, `seed ${seed}`).toBe(1);
      const [winner] = winners[0]!;
      expect(getLease(a.doc, 'turn')?.holder, `seed ${seed}`).toBe(winner);
      expect(getLease(b.doc, 'turn')?.holder, `seed ${seed}`).toBe(winner);
      // A loser that had thought it held the lease learns it lost.
      for (const h of Object.values(results))
        if (h && h !== 'pending' && !h.stillMine()) expect(h.lost.aborted).toBe(true);
    }
  });

  it('a holder that lost its lease to a takeover sees lost fire', async () => {
    const clock = createVirtualClock();
    const doc = new Y.Doc();
    let first: HeldLease | undefined;
    void claimLease(doc, 'run', { holder: 'dev1/t1', clock, timing: TIMING }).then((h) => {
      first = h;
    });
    await clock.advance(TIMING.settleMs + 1);
    let second: HeldLease | undefined;
    void claimLease(doc, 'run', { holder: hostDriverId('h'), clock, timing: TIMING }).then((h) => {
      second = h;
    });
    await settle();
    expect(first?.lost.aborted).toBe(true);
    await clock.advance(TIMING.settleMs + 1);
    expect(second?.stillMine()).toBe(true);
    expect(getLease(doc, 'run')?.epoch).toBe(2);
  });

  it('names drivers: hosts and tabs apart, a tab by its device', () => {
    expect(isHostDriver(hostDriverId('abc'))).toBe(true);
    expect(isHostDriver('dev_1/tab_2')).toBe(false);
    expect(deviceOfDriver('dev_1/tab_2')).toBe('dev_1');
    expect(deviceOfDriver(hostDriverId('abc'))).toBeUndefined();
  });
});
