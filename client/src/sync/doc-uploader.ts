// The leader tab's half of the upload queue: it keeps the queued docs open (a few at a time), so their
// sync sockets send what the server lacks and bring back the stored acks that empty the queue, whether
// or not any view shows those docs. A doc is let go once none of its changes wait.
import type { SyncStatus } from './sync-status.ts';

/** A queued doc held open for upload: its socket's status, and the way to let it go. */
export interface UploadHandle {
  status(): SyncStatus | undefined;
  release(): void;
}

export interface DocUploaderDeps {
  /** False while no sync server is set: nothing to upload to, so nothing is held open. */
  canUpload(): boolean;
  /** Opens the doc with its sync socket (the doc store's openDoc). */
  open(name: string): UploadHandle;
  /** Applies the doc's latest stored ack again (for changes that arrived after it, or were lost). */
  recheck(name: string): void;
  /** How many queued docs are open at once (each is a socket). */
  maxOpen?: number;
}

export const MAX_OPEN_UPLOADS = 4;

export class DocUploader {
  private queued: readonly string[] = [];
  private readonly held = new Map<string, UploadHandle>();
  /** Docs the server refused (too large, bad name): retrying cannot help until the sync target changes. */
  private readonly refused = new Set<string>();
  private stopped = false;
  private reconciling = false;
  private again = false;

  constructor(private readonly deps: DocUploaderDeps) {}

  /** The docs that have changes waiting, from the queue. */
  setQueued(docs: readonly string[]): void {
    this.queued = docs;
    this.reconcile();
  }

  /** A socket's status changed (a refused doc frees its place for the next). */
  statusChanged(): void {
    this.reconcile();
  }

  /** The sync target changed (or went): a refusal by the old server says nothing about the new one. */
  targetChanged(): void {
    this.refused.clear();
    this.reconcile();
  }

  /** Periodic: re-applies each held doc's last ack (for changes that are stuck). */
  tick(): void {
    for (const name of this.held.keys()) this.deps.recheck(name);
  }

  heldDocs(): string[] {
    return [...this.held.keys()];
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.held.values()) handle.release();
    this.held.clear();
  }

  private reconcile(): void {
    // Opening a doc changes statuses, which calls back in here: finish this pass, then run one more.
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = true;
    try {
      do {
        this.again = false;
        if (!this.stopped) this.reconcileOnce();
      } while (this.again);
    } finally {
      this.reconciling = false;
    }
  }

  private reconcileOnce(): void {
    const waiting = new Set(this.deps.canUpload() ? this.queued : []);
    for (const [name, handle] of this.held) {
      const refused = handle.status() === 'refused';
      if (refused) this.refused.add(name);
      if (refused || !waiting.has(name)) {
        this.held.delete(name);
        handle.release();
      }
    }
    const max = this.deps.maxOpen ?? MAX_OPEN_UPLOADS;
    for (const name of waiting) {
      if (this.held.size >= max) break;
      if (this.held.has(name) || this.refused.has(name)) continue;
      this.held.set(name, this.deps.open(name));
    }
  }
}
