// Which tab of this browser profile uploads the queue, and which tabs are alive. Both are Web Locks:
// they span every tab of the profile (the one device the queue belongs to) and the browser releases a
// lock the moment its tab goes (close, reload, crash), so the next waiting tab takes over at once.

/** The part of the Web Locks API used here (navigator.locks; fakes in tests). */
export interface LockRequester {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<unknown>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

export const UPLOAD_LEADER_LOCK = 'boocode:upload-leader';
const TAB_LOCK_PREFIX = 'boocode:tab:';

/** Holds `boocode:tab:<id>` for the life of this tab (or until `release`). */
export function holdTabPresence(locks: LockRequester, tabId: string): () => void {
  return holdWhile(locks, `${TAB_LOCK_PREFIX}${tabId}`, () => () => {});
}

/** The ids of the tabs of this profile that are alive now. */
export async function aliveTabs(locks: LockRequester): Promise<Set<string>> {
  const { held = [] } = await locks.query();
  const ids = new Set<string>();
  for (const lock of held) if (lock.name?.startsWith(TAB_LOCK_PREFIX)) ids.add(lock.name.slice(TAB_LOCK_PREFIX.length));
  return ids;
}

/**
 * Runs `lead` in one tab at a time: every tab waits for the lock, the holder runs `lead` until it stops
 * (its returned function is called then) or its tab goes. Returns this tab's way out.
 */
export function electUploader(locks: LockRequester, lead: () => () => void): () => void {
  return holdWhile(locks, UPLOAD_LEADER_LOCK, lead);
}

function holdWhile(locks: LockRequester, name: string, run: () => () => void): () => void {
  const abort = new AbortController();
  let release: (() => void) | undefined;
  let stopped = false;
  locks
    .request(name, { signal: abort.signal }, () => {
      if (stopped) return Promise.resolve();
      const stop = run();
      return new Promise<void>((resolve) => {
        release = () => {
          stop();
          resolve();
        };
      });
    })
    .catch((e: unknown) => {
      // Giving up the wait is how a tab leaves the line; anything else is a real failure.
      if (!(e instanceof DOMException && e.name === 'AbortError')) throw e;
    });
  return () => {
    stopped = true;
    abort.abort();
    release?.();
  };
}
