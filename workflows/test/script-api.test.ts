import { describe, expect, it } from 'vitest';
import { runBody } from './run-helpers.ts';
import { scriptedAgent } from './scripted-agent.ts';

describe('phase(), log(), args', () => {
  it('phase(title) groups the following agents and is recorded in order', async () => {
    const { store, events } = await runBody(
      `phase('Plan'); await agent('p'); phase('Act'); await agent('a1'); await agent('a2');`,
    );
    expect(store.state.phases).toEqual(['Plan', 'Act']);
    expect(store.state.agents.map((a) => [a.prompt, a.phase])).toEqual([
      ['p', 'Plan'],
      ['a1', 'Act'],
      ['a2', 'Act'],
    ]);
    expect(events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && e.title)).toEqual(['Plan', 'Act']);
  });

  it('log(message) adds a line to the run’s progress', async () => {
    const { store, events } = await runBody(`log('starting', { n: 2 }); console.log('also here');`);
    expect(store.state.log.map((l) => [l.level, l.message])).toEqual([
      ['info', 'starting {"n":2}'],
      ['info', 'also here'],
    ]);
    expect(events.some((e) => e.type === 'log' && e.line.message === 'starting {"n":2}')).toBe(true);
  });

  it('args is the run’s input as verbatim JSON', async () => {
    const args = { question: 'why?', n: 3, nested: { list: [1, 'two', null, true] } };
    const { outcome, store } = await runBody(`return args;`, { args });
    expect(outcome.result).toEqual(args);
    expect(store.state.run?.args).toEqual(args);
  });

  it('args is undefined when the run has none, and an explicit null stays null', async () => {
    const none = await runBody(`return typeof args;`);
    const explicitNull = await runBody(`return args === null;`, { args: null });
    expect([none.outcome.result, explicitNull.outcome.result]).toEqual(['undefined', true]);
  });

  it('the script’s return value is the run’s result and progress events bracket the run', async () => {
    const { outcome, events } = await runBody(`await agent('x'); return { ok: true };`);
    expect(outcome).toMatchObject({ status: 'completed', result: { ok: true }, agents: { started: 1, executed: 1 } });
    expect(events.map((e) => e.type)).toEqual([
      'run-start',
      'agent-start',
      'agent-update',
      'budget',
      'agent-end',
      'run-end',
    ]);
  });
});

describe('budget', () => {
  it('exposes total, spent() and remaining() in tokens', async () => {
    const { outcome } = await runBody(
      `const before = [budget.total, budget.spent(), budget.remaining()];
       await agent('one');
       return { before, after: [budget.spent(), budget.remaining()] };`,
      { limits: { budgetTokens: 100 } },
    );
    expect(outcome.result).toEqual({ before: [100, 0, 100], after: [10, 90] });
  });

  it('budget ceiling: agent() throws once spent reaches total', async () => {
    const agent = scriptedAgent(undefined, { tokens: 10 });
    const { outcome } = await runBody(
      `let done = 0;
       try { for (;;) { await agent('step ' + done); done++; } }
       catch (e) { return { done, spent: budget.spent(), message: e.message }; }`,
      { runAgent: agent.runAgent, limits: { budgetTokens: 25 } },
    );
    expect(outcome.result).toEqual({
      done: 3,
      spent: 30,
      message: 'agent(): the token budget is spent (30 of 25 tokens)',
    });
    expect(agent.prompts).toHaveLength(3);
  });

  it('without a budget, total is null and remaining() is Infinity', async () => {
    const { outcome } = await runBody(`return [budget.total, budget.remaining() === Infinity, budget.spent()];`);
    expect(outcome.result).toEqual([null, true, 0]);
  });
});

describe('workflow(name, args)', () => {
  const child = `export const meta = { name: 'child', description: 'inlined' };
phase('inner');
const answer = await agent('child asks ' + args.topic);
return { answer, topic: args.topic };`;

  it('runs another workflow inline with its args and returns its result', async () => {
    const { outcome, store } = await runBody(`phase('outer'); return await workflow('child', { topic: 'rust' });`, {
      resolveWorkflow: (name) => (name === 'child' ? child : undefined),
    });
    expect(outcome.result).toEqual({ answer: 'answer to child asks rust', topic: 'rust' });
    expect(store.state.agents[0]).toMatchObject({ workflow: 'child', phase: 'child: inner' });
    expect(store.state.phases).toEqual(['outer', 'child: inner']);
  });

  it('nesting depth: an inlined workflow cannot call workflow() again', async () => {
    const nested = `export const meta = { name: 'nested', description: 'calls another' };
return await workflow('child', { topic: 'x' });`;
    const { outcome } = await runBody(`try { return await workflow('nested'); } catch (e) { return e.message; }`, {
      resolveWorkflow: (name) => ({ child, nested })[name],
    });
    expect(outcome.result).toBe(
      'workflow("nested") failed: Error: workflow("child"): workflows run inline only one level deep; an inlined workflow cannot call workflow()',
    );
  });

  it('workflow(name) without args gives the inlined script undefined args', async () => {
    const probe = `export const meta = { name: 'probe', description: 'reports its args' };\nreturn [typeof args, args];`;
    const { outcome } = await runBody(`return [await workflow('probe'), await workflow('probe', null)];`, {
      resolveWorkflow: () => probe,
    });
    expect(outcome.result).toEqual([
      ['undefined', null],
      ['object', null],
    ]);
  });

  it('an unknown or invalid workflow throws in the calling script', async () => {
    const { outcome } = await runBody(
      `const errors = [];
       for (const name of ['missing', 'broken']) { try { await workflow(name); } catch (e) { errors.push(e.message); } }
       return errors;`,
      { resolveWorkflow: (name) => (name === 'broken' ? `import x from 'y';` : undefined) },
    );
    expect(outcome.result).toEqual([
      'workflow("missing"): no workflow with that name',
      expect.stringContaining('workflow("broken"): line 1: `import` is not available'),
    ]);
  });
});
