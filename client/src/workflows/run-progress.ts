// The progress tree of a run, computed from the run doc's view: phases in the order the script
// reached them (then the ones its meta declares but it has not reached yet), each with its agents
// and how many of them are finished.
import type { WorkflowRunView } from '@boocode/shared/doc/workflow-run';
import type { AgentEntry } from '@boocode/shared/workflow/run-record';

export interface PhaseNode {
  title: string;
  /** Declared in meta.phases but not reached by this attempt yet. */
  pending: boolean;
  agents: AgentEntry[];
  finished: number;
}

const NO_PHASE = 'Agents';

export function isFinished(agent: AgentEntry): boolean {
  return agent.status !== 'queued' && agent.status !== 'running';
}

export function progressTree(run: WorkflowRunView): PhaseNode[] {
  const nodes = new Map<string, PhaseNode>();
  const node = (title: string, pending: boolean) => {
    let found = nodes.get(title);
    if (!found) {
      found = { title, pending, agents: [], finished: 0 };
      nodes.set(title, found);
    }
    return found;
  };
  for (const agent of run.agents) {
    if (agent.phase === undefined) node(NO_PHASE, false);
  }
  for (const title of run.phases) node(title, false);
  for (const agent of run.agents) {
    const target = node(agent.phase ?? NO_PHASE, false);
    target.agents.push(agent);
    if (isFinished(agent)) target.finished++;
  }
  for (const declared of run.meta?.phases ?? []) {
    const title = typeof declared === 'string' ? declared : declared.title;
    const inline = run.phases.some((p) => p === title || p.endsWith(`: ${title}`));
    if (!inline) node(title, true);
  }
  return [...nodes.values()].filter((n) => n.pending || n.agents.length > 0 || run.phases.includes(n.title));
}

export function runTotals(run: WorkflowRunView): { started: number; finished: number; tokens: number } {
  const finished = run.agents.filter(isFinished).length;
  const tokens = run.agents.reduce((sum, a) => sum + a.usage.tokens, 0);
  return { started: run.agents.length, finished, tokens };
}

export function formatElapsed(ms: number): string {
  if (ms < 0) return '0s';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}

export function formatTokens(tokens: number): string {
  return tokens >= 10_000 ? `${(tokens / 1000).toFixed(1)}k` : String(tokens);
}

/**
 * When a finished run ended, from what it recorded (the last agent end or log line): a finished
 * run's duration is frozen there, never measured against the clock.
 */
export function runEndedAt(run: WorkflowRunView): number | undefined {
  if (run.status === 'running') return undefined;
  let end = run.startedAt ?? run.createdAt;
  for (const a of run.agents) if (a.endedAt !== undefined && a.endedAt > end) end = a.endedAt;
  for (const line of run.log) if (line.at > end) end = line.at;
  return end;
}

export function runElapsed(run: WorkflowRunView, now: number): number {
  return (runEndedAt(run) ?? now) - (run.startedAt ?? run.createdAt);
}

/** An agent's time so far; one left without an end by a run that ended stops at the run's end. */
export function agentElapsed(agent: AgentEntry, run: WorkflowRunView, now: number): number | undefined {
  if (agent.startedAt === undefined) return undefined;
  return (agent.endedAt ?? runEndedAt(run) ?? now) - agent.startedAt;
}

/** A failed run's failed agents, to show before the rest (the one that broke it is what the user wants). */
export function failingAgents(run: WorkflowRunView): AgentEntry[] {
  if (run.status !== 'failed') return [];
  return run.agents.filter((a) => a.status === 'failed');
}
