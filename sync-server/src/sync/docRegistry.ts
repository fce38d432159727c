/**
 * Loads documents lazily, evicts idle ones, persists incoming updates through the group-commit
 * writer and applies them only after COMMIT, takes in updates other instances stored, and
 * schedules background compaction. Everything here can be rebuilt from the database.
 */
import type pg from 'pg';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { UpdateWriter } from '../persistence/groupCommit.ts';
import {
  applyStoredDoc,
  type CompactionResult,
  compactDoc,
  loadStoredDoc,
  readUpdatesBySeq,
} from '../persistence/updateLog.ts';
import { type Peer, REMOTE_AWARENESS, SharedDoc } from './sharedDoc.ts';

/** Origin of updates read from the database (loads, other instances): broadcast to every peer. */
export const STORE_ORIGIN = Symbol('store');

export interface DocRegistryOptions {
  pool: pg.Pool;
  writer: UpdateWriter;
  /** Milliseconds a doc with no peers and no pending writes stays in memory. */
  docIdleMs: number;
  /** Compact a doc once this many of its rows are in `doc_updates`. */
  compactAfterUpdates: number;
  /** Sends local awareness changes to other instances; null with a single instance. */
  publishAwareness?: ((doc: string, update: Uint8Array) => void) | null;
  /**
   * Called once a doc is loaded with everything stored (read models such as the trace projection
   * attach here); the returned watcher is detached (and flushed) before the doc leaves memory.
   */
  onLoaded?: ((name: string, ydoc: SharedDoc['ydoc']) => LoadedDocWatcher | undefined) | undefined;
}

export interface LoadedDocWatcher {
  detach(): Promise<void>;
}

export class DocRegistry {
  private readonly docs = new Map<string, Promise<SharedDoc>>();
  private readonly loaded = new Map<string, SharedDoc>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly watchers = new Map<string, LoadedDocWatcher>();
  private closing = false;

  constructor(private readonly opts: DocRegistryOptions) {}

  get loadedCount(): number {
    return this.loaded.size;
  }

  /** True while the doc is in memory here (its read-model watcher, if any, is attached). */
  isLoaded(name: string): boolean {
    return this.loaded.has(name);
  }

  /** Loads the doc if needed and adds the peer to it (which sends the peer our sync step 1). */
  async join(name: string, peer: Peer): Promise<SharedDoc> {
    for (;;) {
      let pending = this.docs.get(name);
      if (!pending) {
        pending = this.load(name);
        this.docs.set(name, pending);
        pending.catch(() => this.docs.delete(name));
      }
      const doc = await pending;
      if (doc.destroyed) continue; // evicted between load and join: load again
      doc.addPeer(peer);
      return doc;
    }
  }

  leave(doc: SharedDoc, peer: Peer): void {
    doc.removePeer(peer);
    if (doc.peers.size === 0) this.scheduleEvict(doc);
  }

  /**
   * Stores an update (which passed `doc.probe.check`), then applies it to the doc (which broadcasts
   * it, together with the rest of its commit's updates of that doc) right after COMMIT. Persist before broadcast: a peer must never see an update the store could lose.
   */
  persist(doc: SharedDoc, update: Uint8Array, origin: Peer, onError: (err: unknown) => void): void {
    doc.pendingWrites++;
    this.opts.writer.write(doc.name, update, (err) => {
      doc.pendingWrites--;
      if (err) {
        doc.probe.settled(update);
        onError(err);
        return;
      }
      // Applied (and broadcast) with the rest of this commit's updates of the doc: see flushStored.
      doc.queueStored(update, origin);
    });
  }

  /**
   * Called by the writer after each COMMIT with the rows it wrote per doc (one merged row usually
   * holds many updates): tell peers what is stored, count the rows, maybe compact.
   */
  onCommitted(seqsByDoc: ReadonlyMap<string, readonly string[]>): void {
    for (const [name, seqs] of seqsByDoc) {
      const doc = this.loaded.get(name);
      if (!doc) continue;
      // What is announced as stored below must be in the doc already.
      doc.flushStored();
      doc.rowsSinceCompaction += seqs.length;
      doc.sendStored();
      this.maybeCompact(doc);
    }
  }

  /**
   * Another instance stored rows for a doc. Read exactly those rows; if some were compacted away
   * meanwhile (or `seqs` is null: we may have missed notifications), reload the whole doc. Applying
   * is idempotent, so reading a row twice is harmless.
   */
  async applyRemote(name: string, seqs: string[] | null): Promise<void> {
    const pending = this.docs.get(name);
    if (!pending) return; // not loaded here: the next load reads it from the database
    const doc = await pending.catch(() => null);
    if (!doc || doc.destroyed) return;
    const read = seqs ? await readUpdatesBySeq(this.opts.pool, name, seqs) : { updates: [], complete: false };
    if (doc.destroyed) return;
    if (read.complete) {
      for (const update of read.updates) doc.applyStored(update, STORE_ORIGIN);
      doc.rowsSinceCompaction += read.updates.length;
    } else {
      const stored = await loadStoredDoc(this.opts.pool, name);
      if (doc.destroyed) return;
      applyStoredDoc(doc.ydoc, stored, STORE_ORIGIN);
      doc.rowsSinceCompaction = stored.updates.length;
    }
    doc.sendStored();
    this.maybeCompact(doc);
  }

  /** Presence from another instance: relayed to this instance's peers of the doc, if it is loaded here. */
  applyRemoteAwareness(name: string, update: Uint8Array): void {
    const doc = this.loaded.get(name);
    if (!doc || doc.destroyed) return;
    try {
      awarenessProtocol.applyAwarenessUpdate(doc.awareness, update, REMOTE_AWARENESS);
    } catch (err) {
      console.error(`[sync-server] bad awareness from another instance for ${name}:`, (err as Error).message);
    }
  }

  /** Re-reads every loaded doc (after the notification channel was down and may have missed some). */
  async resyncAll(): Promise<void> {
    await Promise.all([...this.loaded.keys()].map((name) => this.applyRemote(name, null)));
  }

  compact(name: string): Promise<CompactionResult> {
    return compactDoc(this.opts.pool, name);
  }

  /** Drops every doc from memory and waits for background work (compactions) to finish. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.watchers.values()].map((w) => w.detach()));
    this.watchers.clear();
    for (const doc of this.loaded.values()) doc.destroy();
    this.loaded.clear();
    this.docs.clear();
    await Promise.allSettled([...this.background]);
  }

  private async load(name: string): Promise<SharedDoc> {
    const doc = new SharedDoc(name, this.opts.publishAwareness ?? null);
    try {
      const stored = await loadStoredDoc(this.opts.pool, name);
      applyStoredDoc(doc.ydoc, stored, STORE_ORIGIN);
      doc.rowsSinceCompaction = stored.updates.length;
    } catch (err) {
      doc.destroy();
      throw err;
    }
    this.loaded.set(name, doc);
    const watcher = this.opts.onLoaded?.(name, doc.ydoc);
    if (watcher) this.watchers.set(name, watcher);
    this.maybeCompact(doc);
    return doc;
  }

  private scheduleEvict(doc: SharedDoc): void {
    doc.clearEvictTimer();
    doc.evictTimer = setTimeout(() => this.tryEvict(doc), this.opts.docIdleMs);
    doc.evictTimer.unref();
  }

  private tryEvict(doc: SharedDoc): void {
    doc.evictTimer = null;
    if (doc.destroyed || doc.peers.size > 0) return;
    if (doc.pendingWrites > 0 || doc.compacting) {
      this.scheduleEvict(doc);
      return;
    }
    this.loaded.delete(doc.name);
    this.docs.delete(doc.name);
    const watcher = this.watchers.get(doc.name);
    this.watchers.delete(doc.name);
    if (!watcher) {
      doc.destroy();
      return;
    }
    // The watcher reads the doc one last time (a pending projection), then the doc goes.
    const task = watcher.detach().finally(() => {
      doc.destroy();
      this.background.delete(task);
    });
    this.background.add(task);
  }

  private maybeCompact(doc: SharedDoc): void {
    if (this.closing || doc.compacting || doc.rowsSinceCompaction < this.opts.compactAfterUpdates) return;
    doc.compacting = true;
    const task = compactDoc(this.opts.pool, doc.name)
      .then(({ merged }) => {
        doc.rowsSinceCompaction = Math.max(0, doc.rowsSinceCompaction - merged);
      })
      .catch((err: Error) => console.error(`[sync-server] compaction of ${doc.name} failed:`, err.message))
      .finally(() => {
        doc.compacting = false;
        this.background.delete(task);
      });
    this.background.add(task);
  }
}
