import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { AgentRunSpec, RunAgent } from '../../../workflows/src/engine/agent-contract.ts';
import type { RunStore } from '../../../workflows/src/engine/run-store.ts';
import { startWorkflow } from '../../../workflows/src/engine/run-workflow.ts';
import { loadQuickJS } from '../../../workflows/src/sandbox/quickjs-module.ts';
import { getWorkflowCacheEntry } from './space.ts';
import {
  getWorkflowRun,
  initWorkflowRun,
  listWorkflowRuns,
  type OpenRunDoc,
  setStopRequested,
  YDocRunStore,
} from './workflow-run.ts';

const script = (second: string) => `export const meta = { name: 'three', description: 'three steps' };
phase('Write');
const a = await agent('outline the topic', { label: 'outline' });
const b = await agent(${JSON.stringify(second)}, { label: 'draft' });
log('drafted');
const c = await agent('polish it', { label: 'polish' });
return [a, b, c];`;

/** An agent that answers "answer to <prompt>" for 10 tokens and remembers what it was asked. */
function fakeAgent() {
  const prompts: string[] = [];
  const runAgent: RunAgent = async (spec: AgentRunSpec) => {
    prompts.push(spec.prompt);
    return { text: `answer to ${spec.prompt}`, usage: { tokens: 10 }, childSessionId: `ses_${spec.agentId}` };
  };
  return { prompts, runAgent };
}

/** One device: a space doc and the run docs it has, synced with other replicas by updates. */
class Replica {
  readonly space = new Y.Doc();
  readonly runs = new Map<string, Y.Doc>();
  run(runId: string): Y.Doc {
    let doc = this.runs.get(runId);
    if (!doc) {
      doc = new Y.Doc();
      this.runs.set(runId, doc);
    }
    return doc;
  }
  openRunDoc: OpenRunDoc = async (runId) => (this.runs.has(runId) ? { doc: this.run(runId), release() {} } : undefined);
  store(runId: string): YDocRunStore {
    return new YDocRunStore(this.run(runId), { space: this.space, openRunDoc: this.openRunDoc });
  }
}

/** Sends everything `from` has that `to` lacks (space and every run doc), as a sync would. */
function sync(from: Replica, to: Replica) {
  Y.applyUpdate(to.space, Y.encodeStateAsUpdate(from.space, Y.encodeStateVector(to.space)));
  for (const [runId, doc] of from.runs) {
    const target = to.run(runId);
    Y.applyUpdate(target, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(target)));
  }
}

async function run(store: RunStore, runId: string, source: string, runAgent: RunAgent) {
  return startWorkflow({ runId, source, runAgent, store, quickjs: await loadQuickJS(), args: { topic: 'x' } }).outcome;
}

function create(replica: Replica, runId: string, source: string) {
  initWorkflowRun(replica.run(runId), replica.space, {
    runId,
    sessionId: 'ses_parent',
    workflowName: 'three',
    source,
    args: { topic: 'x' },
    createdAt: 1,
  });
}

describe('YDocRunStore', () => {
  it('records a run through the engine: script hash, args, phases, agents, log, budget, outcome', async () => {
    const device = new Replica();
    create(device, 'wfr_1', script('draft it'));
    const agent = fakeAgent();
    const outcome = await run(device.store('wfr_1'), 'wfr_1', script('draft it'), agent.runAgent);
    expect(outcome).toMatchObject({ status: 'completed', tokens: 30 });

    const view = getWorkflowRun(device.run('wfr_1'));
    expect(view).toMatchObject({
      runId: 'wfr_1',
      sessionId: 'ses_parent',
      workflowName: 'three',
      args: { topic: 'x' },
      status: 'completed',
      attempts: 1,
      spent: 30,
      phases: ['Write'],
      meta: { name: 'three' },
      outcome: {
        status: 'completed',
        result: ['answer to outline the topic', 'answer to draft it', 'answer to polish it'],
      },
    });
    expect(view?.scriptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(view?.log.map((l) => l.message)).toEqual(['drafted']);
    expect(view?.agents.map((a) => [a.label, a.phase, a.status, a.usage.tokens, a.childSessionId])).toEqual([
      ['outline', 'Write', 'done', 10, 'ses_agent-0'],
      ['draft', 'Write', 'done', 10, 'ses_agent-1'],
      ['polish', 'Write', 'done', 10, 'ses_agent-2'],
    ]);
    expect(listWorkflowRuns(device.space, 'ses_parent').map((r) => r.runId)).toEqual(['wfr_1']);
    const hash = view?.agents[0]?.specHash ?? '';
    expect(getWorkflowCacheEntry(device.space, hash)).toMatchObject({ runId: 'wfr_1', agentIndex: 0 });
  });

  it('keeps null args apart from no args', () => {
    const device = new Replica();
    initWorkflowRun(device.run('wfr_n'), device.space, {
      runId: 'wfr_n',
      sessionId: 's',
      workflowName: 'w',
      source: '',
      args: null,
      createdAt: 1,
    });
    initWorkflowRun(device.run('wfr_u'), device.space, {
      runId: 'wfr_u',
      sessionId: 's',
      workflowName: 'w',
      source: '',
      createdAt: 2,
    });
    expect(getWorkflowRun(device.run('wfr_n'))?.args).toBeNull();
    expect(getWorkflowRun(device.run('wfr_u'))).not.toHaveProperty('args', null);
    expect(getWorkflowRun(device.run('wfr_u'))?.args).toBeUndefined();
  });

  it('a re-run on another replica after editing one prompt executes only that agent', async () => {
    const laptop = new Replica();
    const phone = new Replica();
    create(laptop, 'wfr_1', script('draft it'));
    await run(laptop.store('wfr_1'), 'wfr_1', script('draft it'), fakeAgent().runAgent);
    sync(laptop, phone);

    const agent = fakeAgent();
    const outcome = await run(phone.store('wfr_1'), 'wfr_1', script('draft it shorter'), agent.runAgent);
    expect(agent.prompts).toEqual(['draft it shorter']);
    expect(outcome).toMatchObject({ status: 'completed', tokens: 10, agents: { executed: 1, cached: 2 } });
    const view = getWorkflowRun(phone.run('wfr_1'));
    expect(view?.agents.map((a) => [a.cached, a.usage.tokens])).toEqual([
      [true, 0],
      [false, 10],
      [true, 0],
    ]);
    expect(view?.attempts).toBe(2);

    // And back: the laptop sees the phone's attempt once it syncs.
    sync(phone, laptop);
    expect(getWorkflowRun(laptop.run('wfr_1'))?.outcome?.result).toEqual([
      'answer to outline the topic',
      'answer to draft it shorter',
      'answer to polish it',
    ]);
  });

  it('a new run on another replica reuses finished agents of an earlier run through the space index', async () => {
    const laptop = new Replica();
    const phone = new Replica();
    create(laptop, 'wfr_1', script('draft it'));
    await run(laptop.store('wfr_1'), 'wfr_1', script('draft it'), fakeAgent().runAgent);
    sync(laptop, phone);

    create(phone, 'wfr_2', script('draft it again'));
    const agent = fakeAgent();
    const outcome = await run(phone.store('wfr_2'), 'wfr_2', script('draft it again'), agent.runAgent);
    expect(agent.prompts).toEqual(['draft it again']);
    expect(outcome).toMatchObject({ tokens: 10, agents: { executed: 1, cached: 2 } });
  });

  it('a stop request is a field every replica sees', () => {
    const device = new Replica();
    create(device, 'wfr_1', script('x'));
    setStopRequested(device.run('wfr_1'), true);
    expect(getWorkflowRun(device.run('wfr_1'))?.stopRequested).toBe(true);
  });
});
