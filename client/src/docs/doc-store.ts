// The doc store: one Y.Doc per name, persisted in IndexedDB through y-dexie (which also carries
// updates between tabs of this origin), plus one sync link per open doc when a server is configured.
// Invariant: there is at most one Y.Doc instance per name in a tab, shared by every reader.
import { DexieYProvider } from 'y-dexie';
import type * as Y from 'yjs';
import { connectDoc, type SyncConfig, type SyncLink } from '../sync/sync-link.ts';
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
}

/** Keep a released doc open a little, so moving between routes does not reload and reconnect it. */
const CLOSE_GRACE_MS = 10_000;

export class DocStore {
  readonly status = new SyncStatusBoard();
  private readonly open = new Map<string, OpenEntry>();
  private config: SyncConfig | undefined;

  constructor(readonly db: LocalDb) {}

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

  /** Whether a doc's local state has been loaded (for rendering without a flash of "empty"). */
  isLoaded(name: string): boolean {
    return this.open.get(name)?.loaded ?? false;
  }

  /** Switches every open doc to a new server (or to local-only with `undefined`). */
  setSyncConfig(config: SyncConfig | undefined): void {
    if (sameConfig(config, this.config)) return;
    this.config = config;
    for (const [name, entry] of this.open) {
      entry.link?.destroy();
      entry.link = undefined;
      if (entry.loaded) this.link(name, entry);
    }
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
    };
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
    entry.link = connectDoc(name, entry.doc, this.config, (s) => this.status.set(name, s));
  }

  private release(name: string, entry: OpenEntry): void {
    entry.refs--;
    if (entry.refs > 0) return;
    entry.closeTimer = setTimeout(() => {
      if (entry.refs > 0 || this.open.get(name) !== entry) return;
      this.open.delete(name);
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
