import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../src/engine/run-store.ts';
import { runBody, startBody } from './run-helpers.ts';
import { deferred, scriptedAgent, waitFor } from './scripted-agent.ts';

/** Three agents in a row; `second` is the prompt a user edits between runs. */
const threeSteps = (second: string) => `
  const a = await agent('outline the topic', { label: 'outline' });
  const b = await agent(${JSON.stringify(second)}, { label: 'draft' });
  const c = await agent('polish it', { label: 'polish' });
  return [a, b, c];`;

describe('resume by spec hash', () => {
  it('a re-run after editing one agent’s prompt executes only that agent', async () => {
    const store = new MemoryRunStore();
    const first = scriptedAgent();
    const run1 = await runBody(threeSteps('draft it'), { store, runAgent: first.runAgent });
    expect(run1.outcome).toMatchObject({ status: 'completed', tokens: 30 });

    const second = scriptedAgent();
    const run2 = await runBody(threeSteps('draft it shorter'), { store, runAgent: second.runAgent });
    expect(second.prompts).toEqual(['draft it shorter']);
    expect(run2.outcome).toMatchObject({
      status: 'completed',
      result: ['answer to outline the topic', 'answer to draft it shorter', 'answer to polish it'],
      tokens: 10,
      agents: { started: 3, executed: 1, cached: 2 },
    });
  });

  it('cached agents cost zero tokens and are marked cached', async () => {
    const store = new MemoryRunStore();
    await runBody(threeSteps('draft it'), { store });
    const rerun = await runBody(threeSteps('draft it'), { store, limits: { budgetTokens: 5 } });
    expect(rerun.outcome).toMatchObject({ status: 'completed', tokens: 0, agents: { executed: 0, cached: 3 } });
    expect(store.state.agents.map((a) => [a.cached, a.usage.tokens, a.status])).toEqual([
      [true, 0, 'done'],
      [true, 0, 'done'],
      [true, 0, 'done'],
    ]);
  });

  it('changing only a label or phase keeps the cached result', async () => {
    const store = new MemoryRunStore();
    await runBody(`return await agent('same work', { label: 'one' });`, { store });
    const agent = scriptedAgent();
    await runBody(`phase('Other'); return await agent('same work', { label: 'renamed' });`, {
      store,
      runAgent: agent.runAgent,
    });
    expect(agent.prompts).toEqual([]);
  });

  it('changing the model or schema runs the agent again', async () => {
    const store = new MemoryRunStore();
    await runBody(`return await agent('work');`, { store });
    const agent = scriptedAgent(() => '{"ok": true}');
    await runBody(
      `await agent('work', { model: 'big' }); await agent('work', { schema: { type: 'object', properties: { ok: { type: 'boolean' } } } });`,
      { store, runAgent: agent.runAgent },
    );
    expect(agent.prompts).toEqual(['work', 'work']);
  });

  it('under the prefix rule, the edited agent and every agent after it run again', async () => {
    const store = new MemoryRunStore();
    await runBody(threeSteps('draft it'), { store, cacheRule: 'prefix' });
    const second = scriptedAgent();
    const run2 = await runBody(threeSteps('draft it shorter'), {
      store,
      runAgent: second.runAgent,
      cacheRule: 'prefix',
    });
    expect(second.prompts).toEqual(['draft it shorter', 'polish it']);
    expect(run2.outcome).toMatchObject({ tokens: 20, agents: { executed: 2, cached: 1 } });
  });

  it('under the prefix rule an unchanged script reuses every agent', async () => {
    const store = new MemoryRunStore();
    await runBody(threeSteps('draft it'), { store, cacheRule: 'prefix' });
    const second = scriptedAgent();
    await runBody(threeSteps('draft it'), { store, runAgent: second.runAgent, cacheRule: 'prefix' });
    expect(second.prompts).toEqual([]);
  });
});

describe('stop and resume a run', () => {
  it('stopping a run stops its agents and ends it as stopped', async () => {
    const never = deferred<string>();
    const signals: AbortSignal[] = [];
    const agent = scriptedAgent((spec) => (spec.prompt === 'draft it' ? never.promise : `answer to ${spec.prompt}`));
    const runAgent: typeof agent.runAgent = (spec, signal) => {
      signals.push(signal);
      return agent.runAgent(spec, signal);
    };
    const { run, store } = await startBody(threeSteps('draft it'), { runAgent });
    await waitFor(() => store.state.agents.some((a) => a.label === 'draft' && a.status === 'running'));
    run.stop();
    const outcome = await run.outcome;
    expect(outcome).toMatchObject({ status: 'stopped', agents: { started: 2, executed: 1 } });
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
    expect(store.state.agents.map((a) => a.status)).toEqual(['done', 'stopped']);
    expect(store.state.outcome?.status).toBe('stopped');
  });

  it('resuming a stopped run reuses finished agents and runs the rest', async () => {
    const store = new MemoryRunStore();
    const never = deferred<string>();
    const first = scriptedAgent((spec) => (spec.prompt === 'draft it' ? never.promise : `answer to ${spec.prompt}`));
    const { run } = await startBody(threeSteps('draft it'), { store, runAgent: first.runAgent });
    await waitFor(() => store.state.agents.some((a) => a.label === 'draft' && a.status === 'running'));
    run.stop();
    await run.outcome;

    const second = scriptedAgent();
    const resumed = await runBody(threeSteps('draft it'), { store, runAgent: second.runAgent });
    expect(second.prompts).toEqual(['draft it', 'polish it']);
    expect(resumed.outcome).toMatchObject({ status: 'completed', agents: { executed: 2, cached: 1 } });
    expect(store.state.attempts).toBe(2);
  });

  it('resuming an interrupted run (no outcome recorded) works the same', async () => {
    const store = new MemoryRunStore();
    // A crashed tab leaves a finished agent and a running one, and no outcome.
    await runBody(`return await agent('outline the topic', { label: 'outline' });`, { store });
    store.state.outcome = undefined;
    const second = scriptedAgent();
    const resumed = await runBody(threeSteps('draft it'), { store, runAgent: second.runAgent });
    expect(second.prompts).toEqual(['draft it', 'polish it']);
    expect(resumed.outcome.status).toBe('completed');
  });
});
