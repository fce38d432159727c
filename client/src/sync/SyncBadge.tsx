// The truth about where the data is, in words: per doc, or for the whole app without a name (then with
// the number of changes the upload queue holds, open docs or not).
import { useSyncExternalStore } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { useSyncStatus } from '../sessions/session-hooks.ts';
import { globalSyncLabel, SYNC_STATUS_LABEL } from './sync-status.ts';

function useWaitingChanges(): number {
  const { store } = useServices();
  return useSyncExternalStore(store.status.subscribe, () => store.status.waiting());
}

export function SyncBadge({ docName, testId }: { docName?: string; testId?: string }) {
  const status = useSyncStatus(docName);
  const waiting = useWaitingChanges();
  const label = docName ? SYNC_STATUS_LABEL[status] : globalSyncLabel(status, waiting);
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
