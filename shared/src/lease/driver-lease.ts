// The one set of rules for "who drives this?", for a session's turns, a lead's subagent queue and a
// workflow run alike, on an agent host and in a tab. Exactly one driver acts at a time, decided in the
// synced doc by a lease (doc/lease.ts):
//  1. A lease is free when there is none or it was released; a driver may claim a free lease.
//  2. A held lease whose holder is known gone (a probe: this device's Web Locks, or the sync server's
//     presence list while connected) may be claimed at once.
//  3. Otherwise a held lease is judged by its beat, compared for change on the watcher's own clock,
//     never for age across clocks: unchanged for `staleMs` while the watcher was connected means stale,
//     and a stale lease may be claimed. A watcher that is offline cannot judge another device's lease.
//  4. A claim writes the next epoch as `claiming`, waits until the server stored it (when online) and
//     `settleMs` more, and re-reads: only a claim still naming its writer with its epoch becomes `held`.
//     Two concurrent claims converge to one winner on every replica; the loser learns it and backs off.
//  5. A holder beats while it drives, checks that the lease still names it with its epoch before each
//     step (model call, tool call), stops as soon as it does not, and releases the lease when it ends.
import type * as Y from 'yjs';
import type { Clock } from '../agent/engine-deps.ts';
import { createStopSource } from '../agent/stop-signal.ts';
import { getLease, type Lease, type LeaseName, observeLease, putLease } from '../doc/lease.ts';
import type { AbortSignalLike } from '../model/model-client.ts';

export const LEASE_TIMING = {
  /** How often a holder bumps its beat. */
  beatMs: 2000,
  /** No change in a beat for this long (watcher's clock, while connected): the holder is gone. */
  staleMs: 6000,
  /** How long a claim waits after the server stored it before it counts (a concurrent claim arrives). */
  settleMs: 800,
} as const;

export type LeaseTiming = { beatMs: number; staleMs: number; settleMs: number };

/** What a probe knows of a holder: alive, gone, or nothing (then the beat decides). */
export type HolderProbe = (holder: string) => 'alive' | 'gone' | undefined;

export type LeaseVerdict =
  /** Nobody holds it. */
  | 'free'
  /** It names this driver (a previous life of it, if this driver is not acting on it now). */
  | 'mine'
  /** Another driver holds it and lives. */
  | 'alive'
  /** Another driver held it and is gone (probe) or its beat stopped (stale). */
  | 'abandoned'
  /** Another device holds it and this watcher, offline, cannot tell whether it lives. */
  | 'unknown';

/** A host's driver id. */
export function hostDriverId(hostId: string): string {
  return `host:${hostId}`;
}

export function isHostDriver(holder: string | undefined): boolean {
  return !!holder?.startsWith('host:');
}

/** The device part of a tab's driver id (`<device>/<tab>`); undefined for a host or an older id. */
export function deviceOfDriver(holder: string | undefined): string | undefined {
  if (!holder || isHostDriver(holder)) return undefined;
  const slash = holder.indexOf('/');
  return slash > 0 ? holder.slice(0, slash) : undefined;
}

/**
 * Remembers, per lease, when its beat last changed on this watcher's clock. One per driver process
 * (tab or host); keys name the doc and lease (`session:<id>/turn`).
 */
export class LeaseWatch {
  private readonly seen = new Map<string, { stamp: string; since: number }>();

  constructor(
    private readonly now: () => number,
    private readonly timing: Pick<LeaseTiming, 'staleMs'> = LEASE_TIMING,
  ) {}

  /**
   * Judges a lease as rules 1-3 say. `connected` is whether this watcher has been in sync with the server
   * (so it would have seen a beat); while it is not, the clock of a foreign lease does not run.
   */
  judge(
    key: string,
    lease: Lease | undefined,
    me: string,
    opts: { probe?: HolderProbe; connected: boolean },
  ): LeaseVerdict {
    if (!lease || lease.state === 'released') {
      this.seen.delete(key);
      return 'free';
    }
    if (lease.holder === me) return 'mine';
    const probed = opts.probe?.(lease.holder);
    if (probed === 'gone') return 'abandoned';
    const now = this.now();
    const stamp = `${lease.holder}#${lease.epoch}#${lease.beat}#${lease.state}`;
    const last = this.seen.get(key);
    if (!opts.connected) {
      // Offline: beats cannot arrive, so silence proves nothing. Start counting again once online.
      this.seen.delete(key);
      return probed === 'alive' ? 'alive' : 'unknown';
    }
    if (last?.stamp !== stamp) {
      this.seen.set(key, { stamp, since: now });
      return 'alive';
    }
    if (probed === 'alive') return 'alive';
    return now - last.since >= this.timing.staleMs ? 'abandoned' : 'alive';
  }

  /** Forget a lease (the doc was closed). */
  forget(key: string): void {
    this.seen.delete(key);
  }
}

/** A lease this driver holds. */
export interface HeldLease {
  readonly name: LeaseName;
  readonly holder: string;
  readonly epoch: number;
  /** True while the doc's lease still names this holder with this epoch (rule 5). */
  stillMine(): boolean;
  /** Aborts when the lease stops naming this holder (another driver won it) or it is released. */
  readonly lost: AbortSignalLike;
  /** Bumps the beat (rule 3). */
  beat(): void;
  /** Beats every `beatMs` until the returned function is called or the lease is lost. */
  startBeating(clock: Clock, beatMs?: number): () => void;
  /** Frees the lease if it still names this holder; stops beating and watching. */
  release(): void;
}

export interface ClaimOptions {
  holder: string;
  clock: Clock;
  timing?: Pick<LeaseTiming, 'settleMs'>;
  /** Resolves once the server has stored the doc's latest local update; absent offline. */
  whenStored?: () => Promise<void>;
  signal?: AbortSignalLike;
}

/**
 * Claims a lease the caller judged free, abandoned or its own (rule 4). Resolves with the held lease, or
 * undefined when another claim won (or `signal` aborted).
 */
export async function claimLease(doc: Y.Doc, name: LeaseName, opts: ClaimOptions): Promise<HeldLease | undefined> {
  const epoch = (getLease(doc, name)?.epoch ?? 0) + 1;
  putLease(doc, name, { holder: opts.holder, epoch, state: 'claiming', beat: 0 });
  const names = (l: Lease | undefined) => l?.holder === opts.holder && l.epoch === epoch;
  // Lost already (a concurrent claim merged in) or aborted: stop waiting early.
  const losing = createStopSource(opts.signal);
  const offLoss = observeLease(doc, name, () => {
    if (!names(getLease(doc, name))) losing.stop('lost');
  });
  try {
    if (opts.whenStored) await Promise.race([opts.whenStored(), abortOf(losing.signal)]);
    if (!losing.signal.aborted) await opts.clock.sleep(opts.timing?.settleMs ?? LEASE_TIMING.settleMs, losing.signal);
  } finally {
    offLoss();
  }
  if (opts.signal?.aborted || !names(getLease(doc, name))) return undefined;
  putLease(doc, name, { holder: opts.holder, epoch, state: 'held', beat: 1 });
  return holdLease(doc, name, opts.holder, epoch);
}

/** Wraps a lease the doc says this holder has (after a claim). */
function holdLease(doc: Y.Doc, name: LeaseName, holder: string, epoch: number): HeldLease {
  const lost = createStopSource();
  const stillMine = () => {
    const l = getLease(doc, name);
    return l?.holder === holder && l.epoch === epoch && l.state !== 'released';
  };
  const offWatch = observeLease(doc, name, () => {
    if (!stillMine()) lost.stop('lease-lost');
  });
  let stopBeating = () => {};
  const beat = () => {
    const l = getLease(doc, name);
    if (!l || !stillMine()) return;
    putLease(doc, name, { ...l, beat: l.beat + 1 });
  };
  return {
    name,
    holder,
    epoch,
    stillMine,
    lost: lost.signal,
    beat,
    startBeating(clock, beatMs = LEASE_TIMING.beatMs) {
      const stop = createStopSource(lost.signal);
      void (async () => {
        while (!stop.signal.aborted) {
          await clock.sleep(beatMs, stop.signal);
          if (!stop.signal.aborted) beat();
        }
      })();
      stopBeating = () => stop.stop();
      return stopBeating;
    },
    release() {
      stopBeating();
      offWatch();
      const l = getLease(doc, name);
      if (l && stillMine()) putLease(doc, name, { ...l, state: 'released' });
      lost.stop('released');
    },
  };
}

function abortOf(signal: AbortSignalLike): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
