import { startWorkflow } from '@boocode/workflows/engine/run-workflow';
import { describe, expect, it } from 'vitest';
import { dryRunWorkflow, type StartRun } from './dry-run.ts';
import { BLANK_TEMPLATE } from './workflow-templates.ts';

/** The engine itself in place of the worker (same options, same events). */
const inProcess: StartRun = (options) => {
  const run = startWorkflow({
    runId: options.request.runId,
    source: options.request.source,
    args: options.request.args,
    runAgent: (spec) => options.agents.run(spec),
    store: options.store,
    onEvent: options.onEvent,
  });
  return { outcome: run.outcome, stop: () => run.stop(), stopAgent: () => {} };
};

describe('dryRunWorkflow', () => {
  it('lists the phases and the agents the template would start, answered by the echo agent', async () => {
    const report = await dryRunWorkflow(inProcess, { source: BLANK_TEMPLATE, args: { topic: 'the tests' } });
    expect(report.outcome.status).toBe('completed');
    expect(report.phases).toEqual(['gather', 'answer']);
    expect(report.agents.map((a) => [a.label, a.phase])).toEqual([
      ['facts', 'gather'],
      ['questions', 'gather'],
      ['summary', 'answer'],
    ]);
    expect(report.agents[0]?.prompt).toBe('List the facts about the tests');
    // The echo agent answered: the summary's prompt carries the earlier agents' echoes.
    expect(report.agents[2]?.prompt).toContain('echo: List the facts about the tests');
    expect(report.outcome.tokens).toBeGreaterThan(0);
  });

  it('reports a script that fails while running, with the agents started before it failed', async () => {
    const source = `export const meta = { name: 'x', description: 'y' };
await agent('first', { label: 'one' });
throw new Error('broken after one agent');
`;
    const report = await dryRunWorkflow(inProcess, { source, args: undefined });
    expect(report.outcome.status).toBe('failed');
    expect(report.outcome.error?.message).toContain('broken after one agent');
    expect(report.agents.map((a) => a.label)).toEqual(['one']);
  });
});
