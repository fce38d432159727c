// One y-websocket connection for one open doc. The stock provider handles the sync protocol and
// reconnects with backoff; this module adds BooCode's "stored" message (what the server durably
// stored) and turns socket state + stored snapshot into the SyncStatus the UI shows.
import { MESSAGE_STORED, readStoredSnapshot, STORED_PARAM, TOKEN_PARAM } from '@boocode/shared/protocol/sync';
import type { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { storedSnapshotCovers } from './stored-state.ts';
import type { SyncStatus } from './sync-status.ts';

export interface SyncConfig {
  /** WebSocket base, e.g. `ws://localhost:8787/yjs`; the doc name is appended. */
  url: string;
  token: string;
}

export interface SyncLink {
  readonly status: SyncStatus;
  /** The doc's presence channel (the sync server relays it; a closed socket's entries vanish at once). */
  readonly awareness: Awareness;
  /** True while the socket is open and the first sync with the server is done. */
  readonly connected: boolean;
  /** Drops the socket and dials again now (skipping the backoff); the status follows the new socket. */
  reconnect(): void;
  destroy(): void;
}

/** Whether an update came from a server socket (it is the server's already, not a change of ours). */
export function isSyncLinkOrigin(origin: unknown): boolean {
  return origin instanceof WebsocketProvider;
}

/** Recomputing the local snapshot walks the doc: do it at most this often while updates stream in. */
const STATUS_THROTTLE_MS = 150;

export function connectDoc(
  name: string,
  doc: Y.Doc,
  config: SyncConfig,
  onStatus: (status: SyncStatus) => void,
  /** Every stored message: what the server durably holds of the doc (the upload queue's acks). */
  onStored: (stored: Y.Snapshot) => void = () => {},
): SyncLink {
  const provider = new WebsocketProvider(config.url, name, doc, {
    params: { [TOKEN_PARAM]: config.token, [STORED_PARAM]: '1' },
    maxBackoffTime: 5000,
    // Cross-tab traffic goes through IndexedDB (y-dexie); a second channel would only duplicate it.
    disableBc: true,
  });
  let stored: Y.Snapshot | undefined;
  // "Offline" means an attempt failed, not "not connected yet": the first dial and a reconnect after
  // a network change show "syncing" until they fail.
  let lastAttemptFailed = false;
  // Set when the server closed with a permanent code (4400-4499, e.g. 4401 bad token): the provider
  // stops retrying, and "offline" would hide that only the user can fix it.
  let refused = false;
  let status: SyncStatus = 'syncing';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let destroyed = false;

  const compute = (): SyncStatus => {
    if (refused) return 'refused';
    if (!provider.wsconnected) return lastAttemptFailed ? 'offline' : 'syncing';
    if (!provider.synced || !stored) return 'syncing';
    return storedSnapshotCovers(stored, Y.snapshot(doc)) ? 'synced' : 'syncing';
  };
  const publish = () => {
    timer = undefined;
    if (destroyed) return;
    const next = compute();
    if (next === status) return;
    status = next;
    onStatus(status);
  };
  const schedule = () => {
    if (timer === undefined) timer = setTimeout(publish, STATUS_THROTTLE_MS);
  };

  provider.messageHandlers[MESSAGE_STORED] = (_encoder, decoder) => {
    stored = readStoredSnapshot(decoder);
    onStored(stored);
    schedule();
  };
  provider.on('status', ({ status: socket }) => {
    if (socket === 'connected') lastAttemptFailed = false;
    else stored = undefined;
    schedule();
  });
  const onFailure = () => {
    lastAttemptFailed = true;
    stored = undefined;
    // Going offline is shown at once; the other transitions wait for the snapshot comparison.
    publish();
  };
  provider.on('connection-close', onFailure);
  provider.on('closed', () => {
    refused = true;
    publish();
  });
  provider.on('connection-error', onFailure);
  provider.on('sync', schedule);
  const onUpdate = () => {
    // A local edit is unconfirmed until the next stored message: show "syncing" right away.
    if (status === 'synced') {
      status = 'syncing';
      onStatus(status);
    }
    schedule();
  };
  doc.on('update', onUpdate);
  onStatus(status);

  return {
    get status() {
      return status;
    },
    get awareness() {
      return provider.awareness;
    },
    get connected() {
      return provider.wsconnected && provider.synced;
    },
    reconnect() {
      refused = false;
      provider.disconnect();
      provider.connect();
    },
    destroy() {
      destroyed = true;
      if (timer !== undefined) clearTimeout(timer);
      doc.off('update', onUpdate);
      provider.destroy();
    },
  };
}
