// What a dry run found: the phases in order, every agent it would start (label, phase, prompt), and
// how the script ended (its result, or its error in words).
import type { DryRunReport } from './dry-run.ts';

export type DryState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; report: DryRunReport }
  | { kind: 'error'; message: string };

export function DryRunReportView({ state }: { state: DryState }) {
  if (state.kind === 'idle') return null;
  if (state.kind === 'running') return <p className="muted small">Running the script with the echo agent…</p>;
  if (state.kind === 'error') return <p className="error-text">The dry run could not start: {state.message}</p>;
  const { phases, agents, outcome } = state.report;
  return (
    <section className="wf-dry" aria-label="Dry run" data-testid="workflow-dry-report" data-status={outcome.status}>
      <h3 className="wf-subheading">
        Dry run {outcome.status === 'completed' ? 'completed' : outcome.status}: {agents.length}{' '}
        {agents.length === 1 ? 'agent' : 'agents'}, echo answers, no model called
      </h3>
      <p className="small">
        Phases:{' '}
        <span data-testid="workflow-dry-phases">
          {phases.length ? phases.join(' → ') : 'none (the script calls no phase())'}
        </span>
      </p>
      {agents.length === 0 ? (
        <p className="muted small">The script started no agent.</p>
      ) : (
        <ol className="wf-dry-agents">
          {agents.map((a) => (
            <li key={a.index} data-testid="workflow-dry-agent" data-label={a.label ?? ''}>
              <strong>{a.label ?? `agent ${a.index + 1}`}</strong>
              {a.phase && <span className="tag">{a.phase}</span>}
              {a.workflow && <span className="tag">in {a.workflow}</span>}
              <span className="wf-dry-prompt muted">{a.prompt}</span>
            </li>
          ))}
        </ol>
      )}
      {outcome.status === 'failed' && outcome.error && (
        <p className="error-text" data-testid="workflow-dry-error">
          {outcome.error.code}: {outcome.error.message}
        </p>
      )}
    </section>
  );
}
