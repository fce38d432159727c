// A Clock whose time moves only when the test says so: sleeps are timers in a queue, and `advance` runs
// them in time order, letting promises settle between timers. With a seeded random source for delays it
// makes a race replayable from its seed (the order of events depends on nothing but the seed).
import type { Clock } from '@boocode/shared/agent/engine-deps';
import type { AbortSignalLike } from '@boocode/shared/model/model-client';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

export interface VirtualClock extends Clock {
  /** Runs `fn` at now + ms (a network delivery, a kill). */
  schedule(ms: number, fn: () => void): void;
  /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
  advance(ms: number): Promise<void>;
  /** Advances in steps of `stepMs` until `done()` or `limitMs` passed; returns whether done() held. */
  runUntil(done: () => boolean, limitMs: number, stepMs?: number): Promise<boolean>;
  /** Timers waiting. */
  readonly pending: number;
}

/** Lets every queued promise reaction and I/O callback run (a few macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function createVirtualClock(start = 1_000_000): VirtualClock {
  let now = start;
  let seq = 0;
  const timers: Timer[] = [];
  const add = (ms: number, fire: () => void): Timer => {
    const t = { at: now + Math.max(0, ms), seq: seq++, fire };
    timers.push(t);
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return t;
  };
  const remove = (t: Timer) => {
    const i = timers.indexOf(t);
    if (i >= 0) timers.splice(i, 1);
  };
  const clock: VirtualClock = {
    now: () => now,
    sleep(ms: number, signal?: AbortSignalLike) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const onAbort = () => {
          remove(timer);
          resolve();
        };
        const timer = add(ms, () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    schedule(ms, fn) {
      add(ms, fn);
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        now = Math.max(now, next.at);
        next.fire();
        await settle();
      }
      now = end;
      await settle();
    },
    async runUntil(done, limitMs, stepMs = 50) {
      for (let spent = 0; spent <= limitMs; spent += stepMs) {
        if (done()) return true;
        await clock.advance(stepMs);
      }
      return done();
    },
    get pending() {
      return timers.length;
    },
  };
  return clock;
}
