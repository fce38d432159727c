// Whether an agent host is connected (its presence on the space doc): turns are handed to it and go on when
// this tab closes. Shown in the top bar in words, with the workspace it serves; nothing when there is none.
import { useCallback, useSyncExternalStore } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { observeHosts, presentHosts } from '../docs/lease-seat.ts';

function useHostNames(): string {
  const { store } = useServices();
  const subscribe = useCallback((fn: () => void) => observeHosts(store, fn), [store]);
  return useSyncExternalStore(subscribe, () =>
    presentHosts(store)
      .map((h) => h.workspaceName ?? h.id)
      .sort()
      .join(', '),
  );
}

export function HostBadge() {
  const names = useHostNames();
  if (!names) return null;
  return (
    <span
      className="host-badge"
      data-testid="host-badge"
      title="An agent host is connected: it drives your sessions, subagents and workflow runs, and they go on when you close this tab."
    >
      Agent host · {names}
    </span>
  );
}
