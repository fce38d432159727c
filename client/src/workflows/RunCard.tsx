// One workflow run: status, progress bars, the tree of phases and agents (status, tokens, elapsed,
// last activity, a link to the agent's child session), Stop / Stop one agent / Resume, the result
// and the log. Any tab can stop; the tab holding the run's lock does the work.
import { getLease } from '@boocode/shared/doc/lease';
import type { AgentActivity, WorkflowRunView } from '@boocode/shared/doc/workflow-run';
import { requestAgentStop, setStopRequested } from '@boocode/shared/doc/workflow-run';
import { isHostDriver } from '@boocode/shared/lease/driver-lease';
import type { AgentEntry } from '@boocode/shared/workflow/run-record';
import { Link } from '@tanstack/react-router';
import type * as Y from 'yjs';
import { resumeRun } from './run-driver.ts';
import {
  agentElapsed,
  failingAgents,
  formatElapsed,
  formatTokens,
  isFinished,
  type PhaseNode,
  progressTree,
  runElapsed,
  runTotals,
} from './run-progress.ts';
import { useDrivenHere, useNow, useRunDriverDeps, useWorkflowRun } from './workflow-hooks.ts';

export function RunCard({ runId, initiallyOpen }: { runId: string; initiallyOpen: boolean }) {
  const { doc, run } = useWorkflowRun(runId);
  const running = run?.status === 'running';
  const here = useDrivenHere(runId);
  const now = useNow(running);
  if (!doc || !run) {
    return (
      <div className="wf-run" data-testid="workflow-run-card" data-run-id={runId}>
        <p className="muted">Loading run…</p>
      </div>
    );
  }
  const totals = runTotals(run);
  const elapsed = runElapsed(run, now);
  const failing = failingAgents(run);
  return (
    <details
      className="wf-run"
      open={initiallyOpen}
      data-testid="workflow-run-card"
      data-run-id={runId}
      data-status={run.status}
    >
      <summary className="wf-run-head">
        <strong>{run.meta?.name ?? run.workflowName}</strong>
        <span className={`tag wf-status-${run.status}`} data-testid="workflow-run-status">
          {run.stopRequested && running ? 'stopping' : run.status}
        </span>
        <span className="muted small">
          {totals.finished}/{totals.started} agents · {formatTokens(run.spent)}
          {run.budgetTotal !== null && (
            <span data-testid="workflow-budget-total"> of {formatTokens(run.budgetTotal)}</span>
          )}{' '}
          tokens · {formatElapsed(elapsed)}
          {run.cacheRule === 'prefix' && ' · reuses the unchanged prefix'}
          {running &&
            (here
              ? ' · driven here'
              : isHostDriver(getLease(doc, 'run')?.holder)
                ? ' · driven by the agent host'
                : ' · driven by another tab')}
        </span>
      </summary>
      <Bar value={totals.finished} max={totals.started} label="Agents finished" />
      <RunActions run={run} doc={doc} />
      {run.outcome?.error && (
        <p className="error-text" data-testid="workflow-run-error">
          {run.outcome.error.code}: {run.outcome.error.message}
        </p>
      )}
      {failing.length > 0 && (
        <section aria-label="Failed agents" data-testid="workflow-failing-agents">
          <h3 className="wf-subheading">Failed</h3>
          <ol className="wf-agents">
            {failing.map((agent) => (
              <AgentRow key={agent.id} agent={agent} activity={run.activity[agent.id]} run={run} doc={doc} now={now} />
            ))}
          </ol>
        </section>
      )}
      <ol className="wf-tree" data-testid="workflow-tree">
        {progressTree(run).map((phase) => (
          <PhaseRow key={phase.title} phase={phase} run={run} doc={doc} now={now} />
        ))}
      </ol>
      {run.outcome?.status === 'completed' && (
        <div className="wf-result">
          <h3 className="wf-subheading">
            Result{' '}
            <span className="muted small">
              ({run.outcome.agents.executed} ran, {run.outcome.agents.cached} from cache,{' '}
              {formatTokens(run.outcome.tokens)} tokens)
            </span>
          </h3>
          <pre data-testid="workflow-result">{JSON.stringify(run.outcome.result ?? null, null, 2)}</pre>
        </div>
      )}
      {run.log.length > 0 && (
        <details className="wf-log">
          <summary>Log ({run.log.length})</summary>
          <ol>
            {run.log.map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: log lines are append-only
              <li key={i} className={line.level === 'warn' ? 'warn' : undefined}>
                {line.message}
              </li>
            ))}
          </ol>
        </details>
      )}
    </details>
  );
}

function RunActions({ run, doc }: { run: WorkflowRunView; doc: Y.Doc }) {
  const deps = useRunDriverDeps();
  if (run.status === 'running') {
    return (
      <div className="wf-actions">
        <button
          type="button"
          data-testid="workflow-stop"
          disabled={run.stopRequested}
          onClick={() => setStopRequested(doc, true)}
        >
          Stop
        </button>
      </div>
    );
  }
  if (run.status === 'completed') return null;
  return (
    <div className="wf-actions">
      <button
        type="button"
        data-testid="workflow-resume"
        onClick={() => void resumeRun(deps, doc, run.runId).catch((e: unknown) => console.error(e))}
      >
        Resume
      </button>
      <span className="muted small">Finished agents are reused; only the rest run again.</span>
    </div>
  );
}

function PhaseRow({ phase, run, doc, now }: { phase: PhaseNode; run: WorkflowRunView; doc: Y.Doc; now: number }) {
  return (
    <li
      className={phase.pending ? 'wf-phase pending' : 'wf-phase'}
      data-testid="workflow-phase"
      data-phase={phase.title}
    >
      <div className="wf-phase-head">
        <span className="wf-phase-title">{phase.title}</span>
        <span className="muted small">
          {phase.pending ? 'not started' : `${phase.finished}/${phase.agents.length}`}
        </span>
        {!phase.pending && <Bar value={phase.finished} max={phase.agents.length} label={`${phase.title} finished`} />}
      </div>
      {phase.agents.length > 0 && (
        <ol className="wf-agents">
          {phase.agents.map((agent) => (
            <AgentRow key={agent.id} agent={agent} activity={run.activity[agent.id]} run={run} doc={doc} now={now} />
          ))}
        </ol>
      )}
    </li>
  );
}

function AgentRow({
  agent,
  activity,
  run,
  doc,
  now,
}: {
  agent: AgentEntry;
  activity: AgentActivity | undefined;
  run: WorkflowRunView;
  doc: Y.Doc;
  now: number;
}) {
  const child = agent.childSessionId ?? activity?.childSessionId;
  const label = agent.label ?? agent.id;
  const elapsed = agentElapsed(agent, run, now);
  const live = !isFinished(agent);
  const stopAsked = run.stopAgentIds.includes(agent.id);
  const last = live ? activity?.text : agent.error;
  return (
    <li
      className={`wf-agent status-${agent.status}`}
      data-testid="workflow-agent"
      data-status={agent.status}
      data-label={label}
    >
      <span className={`wf-dot status-${agent.status}`} aria-hidden="true" />
      <span className="wf-agent-label">
        {child ? (
          <Link
            to="/s/$sessionId"
            params={{ sessionId: child }}
            search={{ pane: 'traces' }}
            title="Open the agent's session"
          >
            {label}
          </Link>
        ) : (
          label
        )}
      </span>
      <span className="wf-agent-status">{agent.cached ? 'cached' : agent.status}</span>
      <span className="wf-agent-num muted small" title="Tokens">
        {live && agent.usage.tokens === 0 ? '–' : `${formatTokens(agent.usage.tokens)} tok`}
      </span>
      <span className="wf-agent-num muted small" title="Elapsed">
        {elapsed === undefined ? '–' : formatElapsed(elapsed)}
      </span>
      {(last || (live && run.status === 'running')) && (
        <span className="wf-agent-second">
          <span className="wf-agent-activity muted small">{last ? oneLine(last) : ''}</span>
          {live && run.status === 'running' && (
            <button
              type="button"
              className="wf-agent-stop"
              data-testid="workflow-agent-stop"
              disabled={stopAsked}
              title="Stop this agent (its agent() gives null)"
              onClick={() => requestAgentStop(doc, agent.id)}
            >
              {stopAsked ? 'Stopping' : 'Stop'}
            </button>
          )}
        </span>
      )}
      <AgentDetails agent={agent} child={child} />
    </li>
  );
}

/** What the agent was asked and answered, its tokens and whether it came from the cache. */
function AgentDetails({ agent, child }: { agent: AgentEntry; child: string | undefined }) {
  return (
    <details className="wf-agent-details" data-testid="workflow-agent-details">
      <summary className="muted small">Prompt and result</summary>
      <dl>
        <dt>Prompt</dt>
        <dd>
          <pre data-testid="workflow-agent-prompt">{agent.prompt}</pre>
        </dd>
        <dt>Result</dt>
        <dd>
          <pre data-testid="workflow-agent-result">
            {agent.result === undefined ? (agent.error ?? '–') : JSON.stringify(agent.result, null, 2)}
          </pre>
        </dd>
        <dt>Tokens</dt>
        <dd>
          {agent.cached
            ? 'from the cache (0 this run)'
            : `${formatTokens(agent.usage.tokens)}${agent.attempts > 1 ? ` over ${agent.attempts} asks` : ''}`}
        </dd>
        {child && (
          <>
            <dt>Trace</dt>
            <dd>
              <Link to="/s/$sessionId" params={{ sessionId: child }} search={{ pane: 'traces' }}>
                the agent's session trace
              </Link>
            </dd>
          </>
        )}
      </dl>
    </details>
  );
}

function Bar({ value, max, label }: { value: number; max: number; label: string }) {
  return <progress className="wf-bar" value={max === 0 ? 0 : value} max={Math.max(max, 1)} aria-label={label} />;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
