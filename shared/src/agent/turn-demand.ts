// What a session's turn asks of a driver, read from the doc alone; tabs and the agent host ask it to decide
// whether to take the session's lease and `resume()` it. Who may take it is the lease's business
// (lease/driver-lease.ts); this only says whether there is work.
import type * as Y from 'yjs';
import { getRunState } from '../doc/session.ts';
import { listSpans } from '../doc/spans.ts';

export type TurnDemand =
  /** Nothing to do: idle, or waiting for answers nobody has given. */
  | 'none'
  /** A user's message waits for a driver. */
  | 'queued'
  /** The doc says a turn runs: alive if its lease holder lives, orphaned if not (the lease decides). */
  | 'running'
  /** The turn stopped on calls the user has now answered ("Run again" / "Skip"). */
  | 'answered';

export function turnDemand(doc: Y.Doc): TurnDemand {
  const run = getRunState(doc);
  if (run.status === 'queued') return 'queued';
  if (run.status === 'running' || run.status === 'interrupted') return 'running';
  if (run.status === 'waiting-approval') {
    const pending = new Set(run.pendingApprovals ?? []);
    const answered = listSpans(doc).some((s) => pending.has(s.id) && s.approval?.answer !== undefined);
    return answered ? 'answered' : 'none';
  }
  return 'none';
}
