// The sync server's HTTP API as this device reaches it: the origin is derived from the sync URL
// (`ws://host/yjs` → `http://host`) and the token is the sync token. Undefined on a local-only device.
import type { LocalSettings } from '../settings/local-settings.ts';

export interface ServerApi {
  origin: string;
  token: string;
}

export function serverApiOf(s: LocalSettings): ServerApi | undefined {
  if (!s.syncUrl.trim() || !s.syncToken.trim()) return undefined;
  try {
    const u = new URL(s.syncUrl.trim());
    const protocol = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
    return { origin: `${protocol}//${u.host}`, token: s.syncToken.trim() };
  } catch {
    return undefined;
  }
}
