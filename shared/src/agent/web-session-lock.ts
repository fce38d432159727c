// The browser's SessionLock: a Web Lock per session, taken with `ifAvailable` so a second tab learns at once
// that another tab drives the session (and watches it) instead of queueing behind it. The lock is held until
// `release()`, or until the tab dies, which is what lets another tab take over and resume.
import type { SessionLock } from './engine-deps.ts';

interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<void> | undefined,
  ): Promise<unknown>;
}

/** undefined where Web Locks do not exist (Node, old browsers): the caller then runs without a lock. */
export function webSessionLock(prefix = 'boocode-session:'): SessionLock | undefined {
  const locks = (globalThis as unknown as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (!locks) return undefined;
  return {
    acquire: (sessionKey) =>
      new Promise((resolve, reject) => {
        locks
          .request(`${prefix}${sessionKey}`, { ifAvailable: true }, (lock) => {
            if (!lock) {
              resolve(undefined);
              return undefined;
            }
            // Holding the callback's promise open holds the lock.
            return new Promise<void>((release) => resolve({ release: () => release() }));
          })
          .catch(reject);
      }),
  };
}
