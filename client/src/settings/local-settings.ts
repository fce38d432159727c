// Local-only settings (this device, never synced): where the sync server is and its token.
// Stored in Dexie; Dexie's liveQuery carries a change made in one tab to the others.
import { liveQuery } from 'dexie';
import type { LocalDb } from '../docs/local-db.ts';
import { adoptRunnerPairingFromHash } from '../runner/runner-pairing.ts';
import type { SyncConfig } from '../sync/sync-link.ts';

export interface LocalSettings {
  /** WebSocket base of the sync server, e.g. `ws://localhost:8787/yjs`. Empty: this device only. */
  syncUrl: string;
  syncToken: string;
}

const KEYS = ['syncUrl', 'syncToken'] as const satisfies readonly (keyof LocalSettings)[];

/** The sync endpoint of the server that served this page (the local server serves the app). */
export function sameOriginSyncUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/yjs`;
}

export async function readLocalSettings(db: LocalDb): Promise<LocalSettings> {
  const rows = await db.settings.bulkGet([...KEYS]);
  const get = (i: number) => (typeof rows[i]?.value === 'string' ? (rows[i]?.value as string) : undefined);
  return { syncUrl: get(0) ?? sameOriginSyncUrl(), syncToken: get(1) ?? '' };
}

export async function writeLocalSettings(db: LocalDb, patch: Partial<LocalSettings>): Promise<void> {
  await db.settings.bulkPut(Object.entries(patch).map(([key, value]) => ({ key, value })));
}

export function observeLocalSettings(db: LocalDb, onChange: (s: LocalSettings) => void): () => void {
  const sub = liveQuery(() => readLocalSettings(db)).subscribe({ next: onChange, error: () => {} });
  return () => sub.unsubscribe();
}

/** Sync needs both a server and a token; without them the app is local-only, and says so. */
export function toSyncConfig(s: LocalSettings): SyncConfig | undefined {
  if (!s.syncUrl.trim() || !s.syncToken.trim()) return undefined;
  return { url: s.syncUrl.trim(), token: s.syncToken.trim() };
}

/**
 * When the local server opens the app as `/#token=...`, keep the token on this device and take the
 * fragment out of the address bar (and history), so it is not bookmarked or shared by accident.
 */
export async function adoptTokenFromUrl(db: LocalDb): Promise<boolean> {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  // `#runner=…&token=…` pairs the local runner; its token must never become the sync token.
  if (params.has('runner')) {
    const paired = await adoptRunnerPairingFromHash(db, location.hash);
    // `npm start` sends one URL for both: `#token=<sync>&runner=…&runnerToken=…`.
    const syncToken = params.has('runnerToken') ? params.get('token') : null;
    if (syncToken) await writeLocalSettings(db, { syncUrl: sameOriginSyncUrl(), syncToken });
    if (paired || syncToken) history.replaceState(history.state, '', location.pathname + location.search);
    return syncToken !== null;
  }
  const token = params.get('token');
  if (!token) return false;
  await writeLocalSettings(db, { syncUrl: sameOriginSyncUrl(), syncToken: token });
  history.replaceState(history.state, '', location.pathname + location.search);
  return true;
}
