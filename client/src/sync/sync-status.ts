// What the UI tells the user about where their data is. Per doc, and one global value that is the
// least reassuring of the open docs (one doc offline makes the app offline), which is never "synced"
// while the upload queue holds a change, open doc or not.

export type SyncStatus =
  /** No sync server configured: the data is only on this device (and that is fine). */
  | 'local'
  /** Connected, and this device has changes the server has not confirmed storing yet. */
  | 'syncing'
  /** The server's stored snapshot contains everything this device has. */
  | 'synced'
  /** A server is configured but the socket is not open. Changes are kept on this device. */
  | 'offline'
  /** The server refused this device (bad token, invalid doc): retrying cannot fix it. */
  | 'refused';

export const SYNC_STATUS_LABEL: Record<SyncStatus, string> = {
  local: 'Saved on this device',
  syncing: 'Syncing…',
  synced: 'Synced to server',
  offline: 'Offline · saved on this device',
  refused: 'Sync refused · check the token in Settings',
};

/** Changes, counted as Yjs updates made on this device (one per edit or streamed batch). */
export function countChanges(n: number): string {
  return `${n} ${n === 1 ? 'change' : 'changes'}`;
}

/** The global badge's words: the status, and how many changes wait for the server when any do. */
export function globalSyncLabel(status: SyncStatus, waiting: number): string {
  if (waiting <= 0) return SYNC_STATUS_LABEL[status];
  if (status === 'syncing' || status === 'synced') return `${countChanges(waiting)} waiting to upload`;
  if (status === 'offline') return `Offline · ${countChanges(waiting)} waiting to upload`;
  return SYNC_STATUS_LABEL[status];
}

const RANK: Record<SyncStatus, number> = { synced: 0, local: 1, syncing: 2, offline: 3, refused: 4 };

export function combineStatuses(statuses: Iterable<SyncStatus>): SyncStatus {
  let worst: SyncStatus | undefined;
  for (const s of statuses) if (worst === undefined || RANK[s] > RANK[worst]) worst = s;
  return worst ?? 'local';
}

/** A tiny observable map docName -> status, read by React through useSyncExternalStore. */
export class SyncStatusBoard {
  private readonly statuses = new Map<string, SyncStatus>();
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private waitingCount = 0;

  /** How many changes the upload queue holds (every doc of this device, open or not). */
  setWaiting(count: number): void {
    if (count === this.waitingCount) return;
    this.waitingCount = count;
    this.emit();
  }

  waiting(): number {
    return this.waitingCount;
  }

  set(docName: string, status: SyncStatus): void {
    if (this.statuses.get(docName) === status) return;
    this.statuses.set(docName, status);
    this.emit();
  }

  delete(docName: string): void {
    if (this.statuses.delete(docName)) this.emit();
  }

  get(docName: string): SyncStatus | undefined {
    return this.statuses.get(docName);
  }

  global(): SyncStatus {
    const worst = combineStatuses(this.statuses.values());
    return worst === 'synced' && this.waitingCount > 0 ? 'syncing' : worst;
  }

  getVersion = (): number => this.version;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
