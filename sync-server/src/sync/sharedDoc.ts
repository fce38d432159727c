/**
 * One loaded document: its Y.Doc, its awareness and its connected peers. Invariant: the Y.Doc only
 * ever holds state that is durably stored (updates are applied after their COMMIT), so anything
 * it sends (sync step 2, broadcasts, "stored" snapshots) is something the store cannot lose.
 */
import { encodeStoredMessageForDoc, MESSAGE_AWARENESS, MESSAGE_SYNC } from '@boocode/shared/protocol/sync';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { UpdateProbe } from './update-probe.ts';

/** Minimum time between two "stored" snapshots of one doc. */
const STORED_INTERVAL_MS = 20;

/** What a SharedDoc needs from a connected peer. */
export interface Peer {
  readonly wantsStored: boolean;
  send(message: Uint8Array): void;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/** Origin of awareness updates that came from another instance: relayed locally, never sent back. */
export const REMOTE_AWARENESS = Symbol('remote-awareness');

export class SharedDoc {
  readonly ydoc = new Y.Doc({ gc: true });
  readonly awareness = new awarenessProtocol.Awareness(this.ydoc);
  /** Checks that an incoming update applies before it is stored. */
  readonly probe = new UpdateProbe(this.ydoc, (origin) => this.peers.has(origin as Peer));
  /** Peer -> awareness client ids it controls (removed when it disconnects). */
  readonly peers = new Map<Peer, Set<number>>();
  /** Updates of this doc queued or in flight in the writer; the doc is not evicted while > 0. */
  pendingWrites = 0;
  /** Rows in `doc_updates` for this doc, as far as this instance knows (drives compaction). */
  rowsSinceCompaction = 0;
  compacting = false;
  evictTimer: NodeJS.Timeout | null = null;
  destroyed = false;
  private storedTimer: NodeJS.Timeout | null = null;
  private storedQueue: { update: Uint8Array; origin: unknown }[] = [];
  private lastStoredAt = 0;

  constructor(
    readonly name: string,
    /** Publishes awareness changes made on this instance to the others (scale-out). */
    private readonly publishAwareness: ((doc: string, update: Uint8Array) => void) | null = null,
  ) {
    // The server announces no presence of its own.
    this.awareness.setLocalState(null);
    this.ydoc.on('update', (update: Uint8Array, origin: unknown) => this.broadcastUpdate(update, origin));
    this.awareness.on('update', (change: AwarenessChange, origin: unknown) => this.onAwarenessUpdate(change, origin));
  }

  addPeer(peer: Peer): void {
    this.peers.set(peer, new Set());
    this.clearEvictTimer();
    // Same opening as the stock y-websocket server: our sync step 1, then everyone's presence.
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.ydoc);
    peer.send(encoding.toUint8Array(encoder));
    const states = this.awareness.getStates();
    if (states.size > 0) peer.send(this.encodeAwareness([...states.keys()]));
    if (peer.wantsStored) peer.send(encodeStoredMessageForDoc(this.ydoc));
  }

  removePeer(peer: Peer): void {
    const controlled = this.peers.get(peer);
    this.peers.delete(peer);
    if (controlled && controlled.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...controlled], null);
    }
  }

  /**
   * Queues an update whose COMMIT just happened; `flushStored` applies the queue. The group commit answers
   * its writes one after another in one synchronous loop, so a commit's updates of this doc meet here.
   */
  queueStored(update: Uint8Array, origin: unknown): void {
    this.storedQueue.push({ update, origin });
    if (this.storedQueue.length === 1) queueMicrotask(() => this.flushStored());
  }

  /**
   * Applies the queued stored updates in one transaction, so peers get one broadcast (one frame each) for
   * all of them instead of one per update. Its origin is the writer's peer when one peer wrote them all
   * (that peer is skipped, it has them); otherwise every peer gets the frame, its own changes included,
   * which Yjs ignores (the stock y-websocket server echoes every update to its sender too).
   */
  flushStored(): void {
    const queued = this.storedQueue;
    if (queued.length === 0 || this.destroyed) return;
    this.storedQueue = [];
    const origin = queued.every((q) => q.origin === queued[0]!.origin) ? queued[0]!.origin : null;
    this.ydoc.transact(() => {
      for (const q of queued) this.applyStored(q.update, origin);
    }, origin);
    for (const q of queued) this.probe.settled(q.update);
  }

  /** Applies an update that is already stored; the 'update' handler broadcasts what was new. */
  applyStored(update: Uint8Array, origin: unknown): void {
    try {
      Y.applyUpdate(this.ydoc, update, origin);
    } catch (err) {
      console.error(`[sync-server] could not apply a stored update to ${this.name}:`, (err as Error).message);
    }
  }

  /**
   * Tells every peer that asked for it what is durably stored now. Y.snapshot walks the whole doc,
   * so under a stream of commits it runs at most once per STORED_INTERVAL_MS; the last call of a
   * burst is never dropped, only delayed.
   */
  sendStored(): void {
    if (this.storedTimer || this.destroyed) return;
    const wait = this.lastStoredAt + STORED_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.storedTimer = setTimeout(() => {
        this.storedTimer = null;
        this.sendStored();
      }, wait);
      return;
    }
    this.lastStoredAt = Date.now();
    let message: Uint8Array | null = null;
    for (const peer of this.peers.keys()) {
      if (!peer.wantsStored) continue;
      message ??= encodeStoredMessageForDoc(this.ydoc);
      peer.send(message);
    }
  }

  encodeAwareness(clients: number[]): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    return encoding.toUint8Array(encoder);
  }

  clearEvictTimer(): void {
    if (this.evictTimer) clearTimeout(this.evictTimer);
    this.evictTimer = null;
  }

  destroy(): void {
    this.destroyed = true;
    this.clearEvictTimer();
    if (this.storedTimer) clearTimeout(this.storedTimer);
    this.awareness.destroy();
    this.probe.destroy();
    this.ydoc.destroy();
  }

  private broadcastUpdate(update: Uint8Array, origin: unknown): void {
    if (this.peers.size === 0) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    for (const peer of this.peers.keys()) {
      if (peer !== origin) peer.send(message);
    }
  }

  private onAwarenessUpdate({ added, updated, removed }: AwarenessChange, origin: unknown): void {
    const changed = [...added, ...updated, ...removed];
    const controlled = origin ? this.peers.get(origin as Peer) : undefined;
    if (controlled) {
      for (const id of added) controlled.add(id);
      for (const id of removed) controlled.delete(id);
    }
    if (changed.length === 0) return;
    if (this.publishAwareness && origin !== REMOTE_AWARENESS) {
      this.publishAwareness(this.name, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
    }
    if (this.peers.size === 0) return;
    const message = this.encodeAwareness(changed);
    for (const peer of this.peers.keys()) peer.send(message);
  }
}
