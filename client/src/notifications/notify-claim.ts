// One tab per event: every tab that sees an event tries to claim its id, and only the first claim
// succeeds (a primary-key insert in the device's database, which fails for every later tab).
// A visible tab claims at once; a hidden one waits a moment first, so when any tab is visible the
// toast shows there, and a hidden tab only takes the event (for a system notification) when none is.
import type { LocalDb } from '../docs/local-db.ts';

/** How long a hidden tab lets visible tabs go first. Cross-tab delivery takes milliseconds. */
export const HIDDEN_TAB_DELAY_MS = 1000;

/** Claims are kept this long (a claim only has to outlive the tabs that might see the same event). */
export const CLAIM_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

export interface ClaimDeps {
  isVisible(): boolean;
  wait(ms: number): Promise<void>;
  /** Records the id; resolves false when it was already there. Must be atomic across tabs. */
  tryInsert(eventId: string): Promise<boolean>;
  /** Runs `fn` while no other tab of this origin runs one (a Web Lock); optional, the insert decides. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** True for exactly one of the tabs that call it with the same id. */
export async function claimEvent(deps: ClaimDeps, eventId: string): Promise<boolean> {
  if (!deps.isVisible()) await deps.wait(HIDDEN_TAB_DELAY_MS);
  return deps.exclusive(() => deps.tryInsert(eventId));
}

export const NOTIFY_LOCK = 'boocode:notify';

/** The browser's deps: the Dexie claims table, the page's visibility, and a Web Lock. */
export function browserClaimDeps(db: LocalDb, now: () => number = Date.now): ClaimDeps {
  return {
    isVisible: () => document.visibilityState === 'visible',
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    tryInsert: (eventId) => insertClaim(db, eventId, now()),
    exclusive: <T>(fn: () => Promise<T>): Promise<T> =>
      navigator.locks ? (navigator.locks.request(NOTIFY_LOCK, fn) as Promise<T>) : fn(),
  };
}

export async function insertClaim(db: LocalDb, eventId: string, at: number): Promise<boolean> {
  try {
    await db.notifyClaims.add({ id: eventId, claimedAt: at });
    return true;
  } catch (error) {
    // Another tab (or an earlier run of this one) has it: that is the point of the table.
    if (error instanceof Error && error.name === 'ConstraintError') return false;
    throw error;
  }
}

/** Forgets claims no tab can still race for. */
export async function pruneClaims(db: LocalDb, now: number): Promise<void> {
  await db.notifyClaims
    .where('claimedAt')
    .below(now - CLAIM_KEEP_MS)
    .delete();
}
