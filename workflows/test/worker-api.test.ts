// The Comlink API exercised over a real MessageChannel, as the page and the worker would use it.
import type { WorkflowEvent } from '@boocode/shared/workflow/run-record';
import { expose, proxy, type Remote, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRunSpec } from '../src/engine/agent-contract.ts';
import { MemoryRunStore } from '../src/engine/run-store.ts';
import { runWorkflowInWorker } from '../src/worker/worker-client.ts';
import { type AgentHost, createWorkflowWorkerApi, type WorkflowWorkerApi } from '../src/worker/workflow-worker-api.ts';
import { META } from './run-helpers.ts';
import { waitFor } from './scripted-agent.ts';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

function connect(): Remote<WorkflowWorkerApi> {
  const channel = new MessageChannel();
  channels.push(channel);
  expose(createWorkflowWorkerApi(), channel.port1);
  return wrap<WorkflowWorkerApi>(channel.port2);
}

describe('worker API over Comlink', () => {
  it('inspects a script without running it', async () => {
    const api = connect();
    expect(await api.inspect(`${META}return 1;`)).toEqual({
      ok: true,
      meta: { name: 'test', description: 'a test workflow' },
    });
    expect(await api.inspect(`import x from 'y';`)).toMatchObject({ ok: false, error: { code: 'IMPORT_REFUSED' } });
  });

  it('runs a workflow with agents, store and events on the page side', async () => {
    const api = connect();
    const store = new MemoryRunStore();
    const events: WorkflowEvent[] = [];
    const agents: AgentHost = {
      run: async (spec: AgentRunSpec) => ({ text: `page says ${spec.prompt}`, usage: { tokens: 3 } }),
      abort: () => {},
    };
    const outcome = await api.run(
      {
        runId: 'wfr_test1',
        source: `${META}phase('p'); return await parallel([() => agent('a'), () => agent('b')]);`,
        args: {},
      },
      proxy(agents),
      proxy(store),
      proxy((event: WorkflowEvent) => {
        events.push(event);
      }),
    );
    expect(outcome).toMatchObject({ status: 'completed', result: ['page says a', 'page says b'], tokens: 6 });
    expect(store.state.agents.map((a) => a.status)).toEqual(['done', 'done']);
    await waitFor(() => events.some((e) => e.type === 'run-end'));
    expect(events[0]?.type).toBe('run-start');
  });

  it('stopAgent through the worker aborts the agent on the page and its agent() gives null', async () => {
    const api = connect();
    const store = new MemoryRunStore();
    const aborted: string[] = [];
    const agents: AgentHost = {
      run: (spec) =>
        spec.prompt === 'hang' ? new Promise(() => {}) : Promise.resolve({ text: 'ok', usage: { tokens: 1 } }),
      abort: (_runId, agentId) => {
        aborted.push(agentId);
      },
    };
    const outcome = api.run(
      { runId: 'wfr_test2', source: `${META}return [await agent('hang'), await agent('next')];` },
      proxy(agents),
      proxy(store),
      proxy(() => {}),
    );
    await waitFor(() => store.state.agents.some((a) => a.status === 'running'));
    expect(await api.stopAgent('wfr_test2', 'agent-0')).toBe(true);
    expect(await outcome).toMatchObject({ status: 'completed', result: [null, 'ok'] });
    expect(aborted).toEqual(['agent-0']);
  });

  it('stop through the worker ends the run as stopped', async () => {
    const api = connect();
    const store = new MemoryRunStore();
    const agents: AgentHost = { run: () => new Promise(() => {}), abort: () => {} };
    const outcome = api.run(
      { runId: 'wfr_test3', source: `${META}return await agent('hang');` },
      proxy(agents),
      proxy(store),
      proxy(() => {}),
    );
    await waitFor(() => store.state.agents.some((a) => a.status === 'running'));
    expect(await api.stop('wfr_test3')).toBe(true);
    expect((await outcome).status).toBe('stopped');
    expect(await api.stop('wfr_test3')).toBe(false);
  });
});

describe('page-side worker client', () => {
  it('terminates the worker of a run that does not end within its wall-clock limit plus grace', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    // A worker whose engine no longer answers (the case the engine's own limit cannot cover).
    expose({ run: () => new Promise(() => {}), stop: () => true, stopAgent: () => true }, channel.port1);
    let terminated = 0;
    const worker = Object.assign(channel.port2, { terminate: () => void terminated++ }) as unknown as Worker;
    const store = new MemoryRunStore();
    const events: WorkflowEvent[] = [];
    const handle = runWorkflowInWorker(() => worker, {
      request: { runId: 'wfr_hung', source: `${META}return 1;`, limits: { wallClockMs: 100 } },
      graceMs: 50,
      agents: { run: async () => null, abort: () => {} },
      store,
      onEvent: (event) => events.push(event),
    });
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'WALL_CLOCK_LIMIT' } });
    expect(outcome.error?.message).toBe('The run did not end within 150 ms; its worker was terminated.');
    expect(terminated).toBeGreaterThan(0);
    expect(store.state.outcome?.status).toBe('failed');
    expect(events.at(-1)?.type).toBe('run-end');
    handle.stop(); // after the end: a no-op, not a throw on the released proxy
  });
});
