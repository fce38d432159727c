// The doc store: one Y.Doc per name, persisted in IndexedDB through y-dexie (which also carries
// updates between tabs of this origin), plus one sync link per open doc when a server is configured.
// Every change made in this tab is put in the upload queue, and every stored ack a link receives is
// applied to it (client/src/sync/pending-changes.ts).
// Invariant: there is at most one Y.Doc instance per name in a tab, shared by every reader.

import { DexieYProvider } from 'y-dexie';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { PendingChanges } from '../sync/pending-changes.ts';
import { connectDoc, isSyncLinkOrigin, type SyncConfig, type SyncLink } from '../sync/sync-link.ts';
import { SyncStatusBoard } from '../sync/sync-status.ts';
import type { LocalDb } from './local-db.ts';
import { reportStorageFailure } from './storage-failure-events.ts';

export interface DocHandle {
  readonly name: string;
  readonly doc: Y.Doc;
  /** Resolves once the doc holds everything stored on this device. Write only after it. */
  readonly whenLoaded: Promise<void>;
  /** Each handle must be released exactly once; the doc closes when the last one goes. */
  release(): void;
}

interface OpenEntry {
  doc: Y.Doc;
  whenLoaded: Promise<void>;
  loaded: boolean;
  refs: number;
  link: SyncLink | undefined;
  closeTimer: ReturnType<typeof setTimeout> | undefined;
  persistence?: DexieYProvider;
  /** The latest stored ack of this doc from the current server. */
  lastStored?: Y.Snapshot;
  onUpdate: (update: Uint8Array, origin: unknown) => void;
}

/** Keep a released doc open a little, so moving between routes does not reload and reconnect it. */
const CLOSE_GRACE_MS = 10_000;

export class DocStore {
  readonly status = new SyncStatusBoard();
  private readonly open = new Map<string, OpenEntry>();
  private config: SyncConfig | undefined;
  private configSet = false;
  private readonly configListeners = new Set<() => void>();

  constructor(
    readonly db: LocalDb,
    /** The upload queue; without it changes are only synced while their doc is open. */
    private readonly pending?: PendingChanges,
  ) {}

  openDoc(name: string): DocHandle {
    const entry = this.open.get(name) ?? this.load(name);
    entry.refs++;
    if (entry.closeTimer !== undefined) {
      clearTimeout(entry.closeTimer);
      entry.closeTimer = undefined;
    }
    let released = false;
    return {
      name,
      doc: entry.doc,
      whenLoaded: entry.whenLoaded,
      release: () => {
        if (released) return;
        released = true;
        this.release(name, entry);
      },
    };
  }

  /** The presence channel of an open, linked doc (undefined offline-only or before it links). */
  awarenessOf(name: string): Awareness | undefined {
    return this.open.get(name)?.link?.awareness;
  }

  /** True while the doc's socket is open and synced: a watcher then sees every beat the server relays. */
  isConnected(name: string): boolean {
    return this.open.get(name)?.link?.connected ?? false;
  }

  /**
   * Resolves true once the server has stored everything this doc holds (status `synced`), false after
   * `timeoutMs` or at once when the doc is not linked to a server.
   */
  whenStored(name: string, timeoutMs: number): Promise<boolean> {
    if (!this.open.get(name)?.link) return Promise.resolve(false);
    return new Promise((resolve) => {
      const check = () => {
        if (this.status.get(name) !== 'synced') return;
        clearTimeout(timer);
        off();
        resolve(true);
      };
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.status.subscribe(check);
      check();
    });
  }

  /** Whether a doc's local state has been loaded (for rendering without a flash of "empty"). */
  isLoaded(name: string): boolean {
    return this.open.get(name)?.loaded ?? false;
  }

  /** Switches every open doc to a new server (or to local-only with `undefined`). */
  setSyncConfig(config: SyncConfig | undefined): void {
    // The first call always goes through: "no server" must reach the queue too (see below).
    if (this.configSet && sameConfig(config, this.config)) return;
    this.configSet = true;
    this.config = config;
    // A new server has none of this device's data: every doc waits for it (no-op for the same server).
    // Without a server nothing is recorded, and the next server, whichever it is, gets every doc.
    this.pending?.switchTarget(config?.url).catch(reportStorageFailure);
    for (const [name, entry] of this.open) {
      entry.link?.destroy();
      entry.link = undefined;
      entry.lastStored = undefined;
      if (entry.loaded) this.link(name, entry);
    }
    for (const listener of this.configListeners) listener();
  }

  /** Calls `listener` after each change of the sync server or token. */
  onSyncConfigChange(listener: () => void): () => void {
    this.configListeners.add(listener);
    return () => this.configListeners.delete(listener);
  }

  /** Whether a sync server is set (without one, data stays on this device and nothing is queued). */
  get syncConfigured(): boolean {
    return this.config !== undefined;
  }

  /** Applies an open doc's latest stored ack to the queue again. */
  recheck(name: string): void {
    const entry = this.open.get(name);
    if (entry) this.ackStored(name, entry);
  }

  /**
   * Re-dials every open doc's socket. A socket can stay "open" through a network change without
   * carrying anything; a fresh one either connects or fails, so the status shown is the truth.
   */
  reconnectAll(): void {
    for (const entry of this.open.values()) entry.link?.reconnect();
  }

  /** Names of every doc stored on this device (for export). */
  async listStoredDocNames(): Promise<string[]> {
    return (await this.db.docs.toCollection().primaryKeys()) as string[];
  }

  private load(name: string): OpenEntry {
    const doc = DexieYProvider.getOrCreateDocument(this.db, 'docs', 'doc', name);
    const entry: OpenEntry = {
      doc,
      refs: 0,
      loaded: false,
      link: undefined,
      closeTimer: undefined,
      whenLoaded: Promise.resolve(),
      onUpdate: (update, origin) => this.recordChange(name, entry, update, origin),
    };
    // Listening on 'update' (emitted before the 'updateV2' y-dexie persists from) makes the queue's row
    // write start before the doc's own: see PendingChangeTable.add.
    doc.on('update', entry.onUpdate);
    // y-dexie destroys a doc whose parent row is missing (it reads that as "deleted"), so the row
    // is made before the provider loads. Writes must wait for whenLoaded: y-dexie only persists
    // updates made after load starts.
    entry.whenLoaded = this.ensureRow(name)
      .then(() => {
        if (this.open.get(name) !== entry) return;
        const persistence = DexieYProvider.load(doc);
        entry.persistence = persistence;
        persistence.on('error', (err: unknown) => reportStorageFailure(err));
        return persistence.whenLoaded;
      })
      .then(() => {
        entry.loaded = true;
        if (this.open.get(name) === entry) this.link(name, entry);
      });
    this.open.set(name, entry);
    this.status.set(name, this.config ? 'syncing' : 'local');
    return entry;
  }

  private async ensureRow(name: string): Promise<void> {
    if (await this.db.docs.get(name)) return;
    // Two tabs may race to create the row; the loser's ConstraintError means the row exists.
    await this.db.docs.add({ name, createdAt: Date.now() } as never).catch((err: unknown) => {
      if (!(err instanceof Error && err.name === 'ConstraintError')) throw err;
    });
  }

  private link(name: string, entry: OpenEntry): void {
    if (!this.config) {
      this.status.set(name, 'local');
      return;
    }
    entry.link = connectDoc(
      name,
      entry.doc,
      this.config,
      (s) => this.status.set(name, s),
      (stored) => {
        entry.lastStored = stored;
        this.ackStored(name, entry);
      },
    );
  }

  /**
   * A change made here (not one from the server or from another tab through IndexedDB) is queued, while
   * a server is set: without one, the next server's switchTarget queues every doc whole.
   */
  private recordChange(name: string, entry: OpenEntry, update: Uint8Array, origin: unknown): void {
    if (!this.pending || !this.config || origin instanceof DexieYProvider || isSyncLinkOrigin(origin)) return;
    // The ack that covers this change may have come before its row was written: apply it again after.
    this.pending.record(name, update).then(() => this.ackStored(name, entry), reportStorageFailure);
  }

  private ackStored(name: string, entry: OpenEntry): void {
    if (!this.pending || !entry.lastStored || this.open.get(name) !== entry) return;
    this.pending.ack(name, entry.lastStored, entry.doc).catch(reportStorageFailure);
  }

  private release(name: string, entry: OpenEntry): void {
    entry.refs--;
    if (entry.refs > 0) return;
    entry.closeTimer = setTimeout(() => {
      if (entry.refs > 0 || this.open.get(name) !== entry) return;
      this.open.delete(name);
      entry.doc.off('update', entry.onUpdate);
      entry.link?.destroy();
      this.status.delete(name);
      if (entry.persistence) DexieYProvider.release(entry.doc);
      else entry.doc.destroy();
    }, CLOSE_GRACE_MS);
  }
}

function sameConfig(a: SyncConfig | undefined, b: SyncConfig | undefined): boolean {
  return a?.url === b?.url && a?.token === b?.token;
}
