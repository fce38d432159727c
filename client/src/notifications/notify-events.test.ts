import type { SessionIndexEntry } from '@boocode/shared/doc/space';
import type { WorkflowRunIndexEntry, WorkflowRunView } from '@boocode/shared/doc/workflow-run';
import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, SessionIndexEvents, workflowRunEvent } from './notify-events.ts';

const START = 1_000_000;

function fakeIndex(entries: SessionIndexEntry[], runs: WorkflowRunIndexEntry[] = []) {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return {
    set(id: string, patch: Partial<SessionIndexEntry>) {
      const cur = byId.get(id);
      byId.set(id, { ...(cur as SessionIndexEntry), ...patch });
    },
    add(e: SessionIndexEntry) {
      byId.set(e.id, e);
    },
    reader: {
      entries: () => [...byId.values()],
      entry: (id: string) => byId.get(id),
      runsOf: (id: string) => runs.filter((r) => r.sessionId === id),
    },
  };
}

const entry = (id: string, patch: Partial<SessionIndexEntry> = {}): SessionIndexEntry => ({
  id,
  title: id,
  kind: 'chat',
  status: 'idle',
  createdAt: START - 10,
  updatedAt: START - 10,
  ...patch,
});

const parent = entry('ses_parent', { title: 'Fix the build' });
const child = entry('ses_child', { parentId: 'ses_parent', label: 'tests', title: 'tests', status: 'running' });

describe('SessionIndexEvents', () => {
  it('reports a subagent that finishes after the tab started, once', () => {
    const index = fakeIndex([parent, child]);
    const events = new SessionIndexEvents(index.reader, START);
    index.set('ses_child', { status: 'done', updatedAt: START + 5 });
    expect(events.update().events).toEqual([
      {
        id: 'subagent:ses_child:done',
        kind: 'subagent',
        title: 'Subagent “tests” finished',
        body: 'Started from “Fix the build”',
        sessionId: 'ses_child',
        tone: 'ok',
      },
    ]);
    index.set('ses_parent', { updatedAt: START + 6 });
    expect(events.update().events).toEqual([]);
  });

  it('reports a failed subagent and stays quiet about a cancelled one', () => {
    const other = entry('ses_other', { parentId: 'ses_parent', label: 'lint', status: 'running' });
    const index = fakeIndex([parent, child, other]);
    const events = new SessionIndexEvents(index.reader, START);
    index.set('ses_child', { status: 'failed', updatedAt: START + 1 });
    index.set('ses_other', { status: 'cancelled', updatedAt: START + 1 });
    expect(events.update().events.map((e) => [e.id, e.title, e.tone])).toEqual([
      ['subagent:ses_child:failed', 'Subagent “tests” failed', 'error'],
    ]);
  });

  it('treats what was already true at the first look as history', () => {
    const done = { ...child, status: 'done' as const };
    const index = fakeIndex([parent, done]);
    const events = new SessionIndexEvents(index.reader, START);
    expect(events.update().events).toEqual([]);
  });

  it('treats a finished child that arrives by sync with an old timestamp as history', () => {
    const index = fakeIndex([parent]);
    const events = new SessionIndexEvents(index.reader, START);
    index.add({ ...child, status: 'done', updatedAt: START - 60_000 });
    expect(events.update().events).toEqual([]);
    index.add({ ...child, id: 'ses_new', status: 'done', updatedAt: START + 1 });
    expect(events.update().events.map((e) => e.id)).toEqual(['subagent:ses_new:done']);
  });

  it('allows another device’s slow clock on a change it saw happen, never on an entry first seen', () => {
    const index = fakeIndex([parent, child]);
    const events = new SessionIndexEvents(index.reader, START);
    index.set('ses_child', { status: 'done', updatedAt: START - CLOCK_SKEW_MS + 1 });
    index.add({ ...child, id: 'ses_synced', status: 'done', updatedAt: START - 1 });
    expect(events.update().events.map((e) => e.id)).toEqual(['subagent:ses_child:done']);
  });

  it('leaves workflow agents to the run’s own event', () => {
    const runs = [{ runId: 'wfr_1', sessionId: 'ses_parent', workflowName: 'multi-review', createdAt: START }];
    const agents = ['a', 'b', 'c'].map((l) =>
      entry(`ses_${l}`, { parentId: 'ses_parent', label: l, title: `multi-review · ${l}`, status: 'running' }),
    );
    const index = fakeIndex([parent, child, ...agents], runs);
    const events = new SessionIndexEvents(index.reader, START);
    for (const a of agents) index.set(a.id, { status: 'done', updatedAt: START + 1 });
    index.set('ses_child', { status: 'done', updatedAt: START + 1 });
    expect(events.update().events.map((e) => e.id)).toEqual(['subagent:ses_child:done']);
    // A resumed run starts its agents again: the notifier is told to look at that session's runs.
    index.set('ses_a', { status: 'running', updatedAt: START + 2 });
    expect(events.update()).toEqual({ events: [], runSessions: ['ses_parent'] });
  });

  it('reports a session that starts waiting for an approval, with the same id in every tab', () => {
    const index = fakeIndex([parent]);
    const tabA = new SessionIndexEvents(index.reader, START);
    const tabB = new SessionIndexEvents(index.reader, START + 3);
    index.set('ses_parent', { status: 'waiting-approval', updatedAt: START + 7 });
    const [a] = tabA.update().events;
    const [b] = tabB.update().events;
    expect(a).toMatchObject({
      id: `approval:ses_parent:${START + 7}`,
      kind: 'approval',
      title: 'Approval waiting in “Fix the build”',
      sessionId: 'ses_parent',
    });
    expect(b?.id).toBe(a?.id);
  });
});

describe('workflowRunEvent', () => {
  const run = (patch: Partial<WorkflowRunView>): WorkflowRunView => ({
    runId: 'wfr_1',
    sessionId: 'ses_parent',
    workflowName: 'multi-review',
    source: '',
    createdAt: START,
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
  });

  it('reports a run seen running that completes', () => {
    expect(workflowRunEvent('running', run({ status: 'completed' }), 'Fix the build')).toEqual({
      id: 'workflow:wfr_1:1:completed',
      kind: 'workflow',
      title: 'Workflow multi-review finished',
      body: 'Started from “Fix the build”',
      sessionId: 'ses_parent',
      tone: 'ok',
    });
  });

  it('says why a run failed, and a second attempt is a new event', () => {
    const failed = run({
      status: 'failed',
      attempts: 2,
      outcome: {
        status: 'failed',
        error: { code: 'SCRIPT_ERROR', message: 'reviewers disagreed' },
        tokens: 0,
        agents: { started: 5, executed: 5, cached: 0 },
      },
    });
    const event = workflowRunEvent('running', failed, undefined);
    expect(event?.id).toBe('workflow:wfr_1:2:failed');
    expect(event?.title).toBe('Workflow multi-review failed: reviewers disagreed');
  });

  it('stays quiet for a run first seen finished (history) and for a stopped run', () => {
    expect(workflowRunEvent(undefined, run({ status: 'completed' }), undefined)).toBeUndefined();
    expect(workflowRunEvent('running', run({ status: 'stopped' }), undefined)).toBeUndefined();
    expect(workflowRunEvent('running', run({ status: 'running' }), undefined)).toBeUndefined();
  });
});
