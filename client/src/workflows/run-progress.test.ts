import type { WorkflowRunView } from '@boocode/shared/doc/workflow-run';
import type { AgentEntry } from '@boocode/shared/workflow/run-record';
import { describe, expect, it } from 'vitest';
import { formatElapsed, progressTree, runTotals } from './run-progress.ts';

function agent(index: number, phase: string | undefined, status: AgentEntry['status'], tokens = 10): AgentEntry {
  return {
    id: `agent-${index}`,
    index,
    specHash: `h${index}`,
    prompt: `p${index}`,
    ...(phase ? { phase } : {}),
    status,
    cached: false,
    usage: { tokens },
    attempts: 1,
  };
}

function view(patch: Partial<WorkflowRunView>): WorkflowRunView {
  return {
    runId: 'wfr_1',
    sessionId: 's',
    workflowName: 'w',
    source: '',
    createdAt: 0,
    status: 'running',
    budgetTotal: null,
    attempts: 1,
    spent: 0,
    stopRequested: false,
    phases: [],
    agents: [],
    stopAgentIds: [],
    activity: {},
    log: [],
    ...patch,
  };
}

describe('progressTree', () => {
  it('groups agents under the phases reached, then lists declared phases not reached yet', () => {
    const run = view({
      meta: { name: 'w', description: '', phases: ['Review', { title: 'Judge' }] },
      phases: ['Review'],
      agents: [agent(0, 'Review', 'done'), agent(1, 'Review', 'running'), agent(2, 'Review', 'failed')],
    });
    expect(progressTree(run).map((n) => [n.title, n.pending, n.agents.length, n.finished])).toEqual([
      ['Review', false, 3, 2],
      ['Judge', true, 0, 0],
    ]);
  });

  it('puts agents started outside any phase first', () => {
    const run = view({ phases: ['Later'], agents: [agent(0, undefined, 'done'), agent(1, 'Later', 'queued')] });
    expect(progressTree(run).map((n) => n.title)).toEqual(['Agents', 'Later']);
  });

  it('counts finished agents and tokens', () => {
    const run = view({
      agents: [agent(0, undefined, 'done', 5), agent(1, undefined, 'stopped', 7), agent(2, undefined, 'running', 0)],
    });
    expect(runTotals(run)).toEqual({ started: 3, finished: 2, tokens: 12 });
  });
});

describe('formatElapsed', () => {
  it('shows seconds, then minutes and seconds', () => {
    expect(formatElapsed(4_200)).toBe('4s');
    expect(formatElapsed(65_000)).toBe('1m 05s');
  });
});

describe('durations', () => {
  it('a run that ended keeps its duration however late it is looked at', async () => {
    const { runElapsed, agentElapsed } = await import('./run-progress.ts');
    const failed = view({
      status: 'failed',
      startedAt: 1_000,
      log: [{ at: 2_000, level: 'warn', message: 'SCRIPT_ERROR: broke' }],
      agents: [{ ...agent(0, undefined, 'running'), startedAt: 1_200 }],
    });
    const muchLater = 1_000 + 18 * 60_000;
    expect(formatElapsed(runElapsed(failed, muchLater))).toBe('1s');
    expect(agentElapsed(failed.agents[0]!, failed, muchLater)).toBe(800);
    const running = view({ status: 'running', startedAt: 1_000 });
    expect(runElapsed(running, 61_000)).toBe(60_000);
  });

  it('a failed run lists its failed agents first', async () => {
    const { failingAgents } = await import('./run-progress.ts');
    const run = view({ status: 'failed', agents: [agent(0, 'A', 'done'), agent(1, 'A', 'failed')] });
    expect(failingAgents(run).map((a) => a.id)).toEqual(['agent-1']);
    expect(failingAgents({ ...run, status: 'completed' })).toEqual([]);
  });
});
