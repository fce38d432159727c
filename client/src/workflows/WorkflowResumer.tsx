// Mounted with every session view (whatever pane is open): a run of this session that the doc says
// is running while no tab holds its lock lost its driver (reload, crash), and this tab resumes it.
import { useRunTakeover, useSessionRuns, useWorkflowRun } from './workflow-hooks.ts';

/** Only the newest runs are watched: an older one still "running" is resumed from the pane. */
const WATCHED_RUNS = 10;

export function WorkflowResumer({ sessionId }: { sessionId: string }) {
  const runs = useSessionRuns(sessionId).slice(0, WATCHED_RUNS);
  return (
    <>
      {runs.map((r) => (
        <RunTakeover key={r.runId} runId={r.runId} />
      ))}
    </>
  );
}

function RunTakeover({ runId }: { runId: string }) {
  const { doc, run } = useWorkflowRun(runId);
  useRunTakeover(runId, run?.status === 'running', doc);
  return null;
}
