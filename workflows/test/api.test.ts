import { describe, expect, it } from 'vitest';
import { runBody, startBody } from './run-helpers.ts';
import { deferred, scriptedAgent, waitFor } from './scripted-agent.ts';

describe('agent()', () => {
  it('resolves to the agent’s final text and passes label, phase and model through', async () => {
    const agent = scriptedAgent((spec) => `hi from ${spec.options.model}`);
    const { outcome, store } = await runBody(
      `phase('Gather');\nreturn await agent('say hi', { label: 'greeter', model: 'small', tools: ['read'] });`,
      { runAgent: agent.runAgent },
    );
    expect(outcome).toMatchObject({ status: 'completed', result: 'hi from small', tokens: 10 });
    expect(agent.specs[0]).toMatchObject({
      prompt: 'say hi',
      options: { label: 'greeter', model: 'small', tools: ['read'] },
    });
    expect(store.state.agents[0]).toMatchObject({
      label: 'greeter',
      phase: 'Gather',
      model: 'small',
      status: 'done',
      cached: false,
      result: 'hi from small',
      usage: { tokens: 10 },
      attempts: 1,
    });
  });

  it('opts.phase overrides the current phase for that agent', async () => {
    const { store } = await runBody(`phase('A');\nawait agent('x', { phase: 'B' });\nawait agent('y');`);
    expect(store.state.agents.map((a) => a.phase)).toEqual(['B', 'A']);
  });

  it('with opts.schema resolves to the validated object', async () => {
    const agent = scriptedAgent(() => 'Here you go:\n```json\n{"score": 7, "notes": ["ok"]}\n```');
    const { outcome } = await runBody(
      `return await agent('rate it', { schema: { type: 'object', properties: { score: { type: 'integer' }, notes: { type: 'array', items: { type: 'string' } } }, required: ['score'] } });`,
      { runAgent: agent.runAgent },
    );
    expect(outcome.result).toEqual({ score: 7, notes: ['ok'] });
  });

  it('re-asks when the answer does not validate, then accepts a valid one', async () => {
    const answers = ['not json at all', '{"score": "seven"}', '{"score": 7}'];
    const agent = scriptedAgent(() => answers.shift() ?? '{}');
    const { outcome, store } = await runBody(
      `return await agent('rate', { schema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] } });`,
      { runAgent: agent.runAgent },
    );
    expect(outcome.result).toEqual({ score: 7 });
    expect(agent.prompts).toHaveLength(3);
    expect(agent.prompts[2]).toContain('Validation error: score: Invalid input: expected number, received string');
    expect(agent.specs.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(store.state.agents[0]).toMatchObject({ attempts: 3, usage: { tokens: 30 } });
  });

  it('throws with the last validation error after a bounded number of asks', async () => {
    const agent = scriptedAgent(() => '{"score": "no"}');
    const { outcome, store } = await runBody(
      `try { await agent('rate', { schema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] } }); }
       catch (e) { return e.message; }`,
      { runAgent: agent.runAgent, limits: { schemaAttempts: 2 } },
    );
    expect(agent.prompts).toHaveLength(2);
    expect(outcome.result).toBe(
      'agent(): the answer did not match the schema after 2 attempts: score: Invalid input: expected number, received string',
    );
    expect(store.state.agents[0]?.status).toBe('failed');
  });

  it('refuses a schema whose root is not an object', async () => {
    const { outcome } = await runBody(`return await agent('x', { schema: { type: 'array' } });`);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'SCRIPT_ERROR' } });
    expect(outcome.error?.message).toContain('opts.schema');
  });

  it('resolves null when the agent dies on a terminal error', async () => {
    const agent = scriptedAgent((spec) => {
      if (spec.prompt === 'crash') throw new Error('model said 500');
      return spec.prompt === 'gone' ? null : 'fine';
    });
    const { outcome, store } = await runBody(`return [await agent('crash'), await agent('gone'), await agent('ok')];`, {
      runAgent: agent.runAgent,
    });
    expect(outcome.result).toEqual([null, null, 'fine']);
    expect(store.state.agents.map((a) => a.status)).toEqual(['failed', 'failed', 'done']);
    expect(store.state.log.map((l) => l.message)).toContain('agent 0 failed: model said 500');
  });
});

describe('stop one agent', () => {
  it('stopping one agent makes its agent() resolve null while the others finish', async () => {
    const never = deferred<string>();
    const agent = scriptedAgent((spec) => (spec.prompt === 'stuck' ? never.promise : `done ${spec.prompt}`));
    const { run, store } = await startBody(
      `return await parallel([() => agent('a'), () => agent('stuck', { label: 'slow' }), () => agent('b')]);`,
      { runAgent: agent.runAgent },
    );
    await waitFor(() => store.state.agents.some((a) => a.label === 'slow' && a.status === 'running'));
    const slow = store.state.agents.find((a) => a.label === 'slow')!;
    expect(run.stopAgent(slow.id)).toBe(true);
    const outcome = await run.outcome;
    expect(outcome.result).toEqual(['done a', null, 'done b']);
    expect(store.state.agents.find((a) => a.label === 'slow')?.status).toBe('stopped');
    expect(run.stopAgent(slow.id)).toBe(false);
  });
});
