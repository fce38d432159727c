// The upload queue's rules. Every change made on this device is remembered (a row naming its doc) until
// a "stored" message from the server covers it; only such an ack removes a row, so a change cannot be
// forgotten by a reload, a closed doc or a dead socket. Rows compare as Yjs snapshots (state vector +
// delete set): a state vector alone would call a delete stored while the server still lacks it.
// Storage is a port (PendingChangeTable) so the rules are tested with fakes.
import * as Y from 'yjs';
import { snapshotOfUpdate, storedSnapshotCovers } from './stored-state.ts';

export interface PendingChange {
  id: number;
  /** The doc's name (`space`, `session:<id>`, …). */
  doc: string;
  /**
   * `Y.encodeSnapshot` of what the server must hold for this change to be stored (its inserts' end
   * clocks and its deletes). Absent on a whole-doc row: "everything this device holds of the doc",
   * written when the server changes (a new server has none of it) and for data from before the queue.
   */
  need?: Uint8Array;
  /** The tab that made the change: while it lives, its write may still be on its way to disk. */
  writer: string;
  /** When the row was written (this device's clock). */
  at: number;
}

export type NewPendingChange = Omit<PendingChange, 'id'>;

export interface PendingChangeTable {
  /**
   * Stores one change. Called synchronously from the doc's update event: an implementation must
   * order this write before the doc's own persist of the same update, so a crash in between leaves a
   * row for a change that never reached disk (found by the lost-change rule) and never a change on
   * disk without its row (which nothing would upload).
   */
  add(change: NewPendingChange): Promise<void>;
  /**
   * When `target` (the server's address) differs from the last one this device uploaded to: adds a
   * whole-doc row for every doc stored on this device and remembers `target`. One transaction.
   * `undefined` (no server: changes are not recorded) forgets the last target, so whichever server
   * comes next gets every doc.
   */
  switchTarget(target: string | undefined, writer: string, at: number): Promise<void>;
  forDoc(doc: string): Promise<PendingChange[]>;
  remove(ids: number[]): Promise<void>;
}

/** What tells a change that is still on its way to disk from one that never got there. */
export interface LostChangeCheck {
  /** The ids of the tabs of this device that are alive now. */
  aliveWriters(): Promise<Set<string>>;
  /** Everything this device's storage holds of the doc, read from disk (not from an open copy). */
  durableSnapshot(doc: string): Promise<Y.Snapshot>;
}

/**
 * A change is only called lost this long after it was written, and only once its writer is gone: a
 * live tab's update reaches disk milliseconds after its row.
 */
export const LOST_AFTER_MS = 5000;

export function encodeChange(update: Uint8Array): Uint8Array {
  return Y.encodeSnapshot(snapshotOfUpdate(update));
}

/**
 * The ids of the changes `stored` covers. `local` is the acking tab's loaded copy of the doc; it stands
 * for whole-doc rows (the copy was loaded from disk and holds at least what was there when they were
 * written), so those are covered only when the server holds everything the copy holds.
 */
export function coveredChanges(changes: readonly PendingChange[], stored: Y.Snapshot, local?: Y.Snapshot): number[] {
  const ids: number[] = [];
  for (const c of changes) {
    const need = c.need ? Y.decodeSnapshot(c.need) : local;
    if (need && storedSnapshotCovers(stored, need)) ids.push(c.id);
  }
  return ids;
}

/**
 * The ids of changes that can never be uploaded: their writer tab is gone, they are old enough that
 * its write would have landed, and this device's storage does not hold them (the tab died between
 * writing the row and persisting the update). Keeping them would show "waiting" forever.
 */
export function lostChanges(
  changes: readonly PendingChange[],
  durable: Y.Snapshot,
  alive: ReadonlySet<string>,
  now: number,
): number[] {
  return changes
    .filter((c) => c.need && !alive.has(c.writer) && now - c.at >= LOST_AFTER_MS)
    .filter((c) => !storedSnapshotCovers(durable, Y.decodeSnapshot(c.need as Uint8Array)))
    .map((c) => c.id);
}

interface AckRequest {
  stored: Y.Snapshot;
  local?: Y.Doc;
}

export interface PendingChangesOptions {
  table: PendingChangeTable;
  /** This tab's id (rows name their writer). */
  writer: string;
  now?: () => number;
  lost?: LostChangeCheck;
  /** Told about changes dropped as lost (they are gone from this device: say so, never silently). */
  onLost?: (doc: string, count: number) => void;
}

/** One per tab: records this tab's changes and applies stored acks to every tab's rows. */
export class PendingChanges {
  private readonly acks = new Map<string, { next?: AckRequest; done: Promise<void> }>();
  private readonly now: () => number;
  /** Docs with rows, as last seen (undefined until known): an ack for any other doc reads nothing. */
  private queuedDocs: Set<string> | undefined;

  constructor(private readonly opts: PendingChangesOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * The docs that have rows now (from a live query of the table). Returns the ones that were not
   * there before: an ack that came before their rows were visible must be applied again.
   */
  setQueuedDocs(docs: readonly string[]): string[] {
    const before = this.queuedDocs;
    this.queuedDocs = new Set(docs);
    return docs.filter((d) => !before?.has(d));
  }

  /** Remembers a change made in this tab (call it from the doc's update event, synchronously). */
  record(doc: string, update: Uint8Array): Promise<void> {
    this.queuedDocs?.add(doc);
    return this.opts.table.add({ doc, need: encodeChange(update), writer: this.opts.writer, at: this.now() });
  }

  /** The sync target is `target` now: if it is a new one, every doc on this device waits for it. */
  switchTarget(target: string | undefined): Promise<void> {
    return this.opts.table.switchTarget(target, this.opts.writer, this.now());
  }

  /**
   * Removes the changes of `doc` that `stored` covers. Acks for one doc run one at a time, and while one
   * runs only the latest waiting ack is kept (a later stored snapshot contains an earlier one).
   */
  ack(doc: string, stored: Y.Snapshot, local?: Y.Doc): Promise<void> {
    if (this.queuedDocs && !this.queuedDocs.has(doc)) return Promise.resolve();
    const running = this.acks.get(doc);
    if (running) {
      running.next = { stored, local };
      return running.done;
    }
    const slot: { next?: AckRequest; done: Promise<void> } = { next: { stored, local }, done: Promise.resolve() };
    this.acks.set(doc, slot);
    slot.done = (async () => {
      try {
        while (slot.next) {
          const request = slot.next;
          slot.next = undefined;
          await this.applyAck(doc, request);
        }
      } finally {
        this.acks.delete(doc);
      }
    })();
    return slot.done;
  }

  private async applyAck(doc: string, { stored, local }: AckRequest): Promise<void> {
    const changes = await this.opts.table.forDoc(doc);
    if (!changes.length) return;
    // Snapshotting walks the whole doc: only for whole-doc rows and for changes left over.
    let localSnapshot: Y.Snapshot | undefined;
    const snapshotLocal = () => {
      if (!localSnapshot && local && !local.isDestroyed) localSnapshot = Y.snapshot(local);
      return localSnapshot;
    };
    const done = new Set(coveredChanges(changes, stored, changes.some((c) => !c.need) ? snapshotLocal() : undefined));
    const left = changes.filter((c) => !done.has(c.id));
    // The server holds all this tab holds, yet changes wait: they are in another tab on their way here,
    // or they were never written to disk. Only the second kind is dropped.
    const everythingHereStored = () => {
      const here = snapshotLocal();
      return here !== undefined && storedSnapshotCovers(stored, here);
    };
    const candidates = this.lostCandidates(left);
    if (candidates.length && everythingHereStored()) {
      const lost = await this.findLost(doc, candidates);
      for (const id of lost) done.add(id);
      if (lost.length) this.opts.onLost?.(doc, lost.length);
    }
    if (done.size) await this.opts.table.remove([...done]);
  }

  /** Left-over changes that could be lost: another tab's, old enough that its write should be on disk. */
  private lostCandidates(left: PendingChange[]): PendingChange[] {
    if (!this.opts.lost) return [];
    const now = this.now();
    return left.filter((c) => c.need && c.writer !== this.opts.writer && now - c.at >= LOST_AFTER_MS);
  }

  private async findLost(doc: string, candidates: PendingChange[]): Promise<number[]> {
    const check = this.opts.lost;
    if (!check) return [];
    // Writers first, then the disk: once a writer is gone its writes have landed or never will.
    const alive = await check.aliveWriters();
    if (candidates.every((c) => alive.has(c.writer))) return [];
    return lostChanges(candidates, await check.durableSnapshot(doc), alive, this.now());
  }
}
