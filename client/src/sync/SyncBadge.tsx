// The truth about where the data is, in words: per doc, or for the whole app without a name.
import { useSyncStatus } from '../sessions/session-hooks.ts';
import { SYNC_STATUS_LABEL } from './sync-status.ts';

export function SyncBadge({ docName, testId }: { docName?: string; testId?: string }) {
  const status = useSyncStatus(docName);
  return (
    <span
      className={`sync-badge sync-${status}`}
      data-status={status}
      data-testid={testId}
      title={SYNC_STATUS_LABEL[status]}
    >
      <span className="dot" aria-hidden="true" />
      {SYNC_STATUS_LABEL[status]}
    </span>
  );
}
