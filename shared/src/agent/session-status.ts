// The status the session list shows for a session, from its doc: a turn waiting for a driver, running,
// waiting for the user (a call's question, or "Run again?"), or how the last turn ended. Whoever drives
// mirrors it into the space index.
import type * as Y from 'yjs';
import { getRunState } from '../doc/session.ts';
import type { SessionStatus } from '../doc/space.ts';
import { listAwaitingApprovals, listSnapshots } from '../doc/spans.ts';

export function sessionStatusOf(doc: Y.Doc): SessionStatus {
  const run = getRunState(doc).status;
  if (run === 'running' && listAwaitingApprovals(doc).length) return 'waiting-approval';
  if (run === 'waiting-approval' || run === 'running' || run === 'queued') return run;
  const outcome = listSnapshots(doc).at(-1)?.outcome;
  return outcome === 'error' ? 'failed' : outcome === 'cancelled' ? 'cancelled' : 'idle';
}
