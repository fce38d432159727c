// The truth about where the data is, in words: per doc, or for the whole app without a name (then with
// the number of changes the upload queue holds, open docs or not).
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { useSyncStatus } from '../sessions/session-hooks.ts';
import { globalSyncLabel, SYNC_STATUS_LABEL, type SyncStatus } from './sync-status.ts';

/**
 * Connected, a change is usually stored within a few hundred milliseconds: counting each one as it
 * passes would make the badge flicker through numbers while an answer streams. So while connected the
 * count shows only once changes have been waiting this long; offline it shows at once.
 */
export const SHOW_COUNT_AFTER_MS = 2000;

function useWaitingChanges(): number {
  const { store } = useServices();
  return useSyncExternalStore(store.status.subscribe, () => store.status.waiting());
}

/** The count to put in words: 0 while changes are merely in flight on a live connection. */
function useCountToShow(status: SyncStatus, waiting: number): number {
  const connected = status === 'syncing' || status === 'synced';
  const pending = connected && waiting > 0;
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    setSettled(false);
    if (!pending) return;
    const timer = setTimeout(() => setSettled(true), SHOW_COUNT_AFTER_MS);
    return () => clearTimeout(timer);
  }, [pending]);
  return !connected || settled ? waiting : 0;
}

export function SyncBadge({ docName, testId }: { docName?: string; testId?: string }) {
  const status = useSyncStatus(docName);
  const waiting = useWaitingChanges();
  const shown = useCountToShow(status, waiting);
  const label = docName ? SYNC_STATUS_LABEL[status] : globalSyncLabel(status, shown);
  return (
    <span
      className={`sync-badge sync-${status}`}
      data-status={status}
      data-waiting={docName ? undefined : waiting}
      data-testid={testId}
      title={label}
    >
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}
