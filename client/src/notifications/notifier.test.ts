import { SPACE_DOC } from '@boocode/shared/doc/names';
import { putSessionEntry, type SessionIndexEntry, updateSessionEntry } from '@boocode/shared/doc/space';
import { initWorkflowRun, markWorkflowRunStatus, YDocRunStore } from '@boocode/shared/doc/workflow-run';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { startNotifier } from './notifier.ts';
import type { NotifyEvent } from './notify-events.ts';

const START = 5_000_000;

function setup() {
  const docs = new Map<string, Y.Doc>();
  const open = new Set<string>();
  const doc = (name: string) => {
    let d = docs.get(name);
    if (!d) {
      d = new Y.Doc();
      docs.set(name, d);
    }
    return d;
  };
  const space = doc(SPACE_DOC);
  let now = START;
  const events: NotifyEvent[] = [];
  const start = () =>
    startNotifier({
      space,
      now: () => now,
      emit: (e) => events.push(e),
      openDoc: (name) => {
        open.add(name);
        return { doc: doc(name), whenLoaded: Promise.resolve(), release: () => open.delete(name) };
      },
    });
  const tick = () => ++now;
  return { space, doc, events, start, tick, open };
}

const session = (id: string, patch: Partial<SessionIndexEntry> = {}): SessionIndexEntry => ({
  id,
  title: id,
  kind: 'chat',
  status: 'idle',
  createdAt: START - 100,
  updatedAt: START - 100,
  ...patch,
});

const finish = (status: 'completed' | 'failed') => ({
  status,
  tokens: 0,
  agents: { started: 5, executed: 5, cached: 0 },
});

describe('startNotifier', () => {
  it('reports a five-agent workflow run once, when the run completes, and none of its agents', async () => {
    const t = setup();
    putSessionEntry(t.space, session('ses_p', { title: 'Review it' }));
    const stop = t.start();
    const runDoc = t.doc('workflow-run:wfr_1');
    initWorkflowRun(runDoc, t.space, {
      runId: 'wfr_1',
      sessionId: 'ses_p',
      workflowName: 'multi-review',
      source: '',
      createdAt: t.tick(),
    });
    await vi.waitFor(() => expect(t.open.has('workflow-run:wfr_1')).toBe(true));
    const agents = [1, 2, 3, 4, 5].map((n) => `ses_a${n}`);
    for (const [i, id] of agents.entries())
      putSessionEntry(
        t.space,
        session(id, { parentId: 'ses_p', label: `r${i}`, title: `multi-review · r${i}`, status: 'running' }),
      );
    for (const id of agents) updateSessionEntry(t.space, id, { status: 'done', updatedAt: t.tick() });
    await new YDocRunStore(runDoc).finishAttempt(finish('completed'));
    await vi.waitFor(() => expect(t.events).toHaveLength(1));
    expect(t.events[0]).toMatchObject({ id: 'workflow:wfr_1:0:completed', title: 'Workflow multi-review finished' });
    // The finished run's doc is let go.
    expect(t.open.has('workflow-run:wfr_1')).toBe(false);
    stop();
  });

  it('reports a stopped run that is resumed and then completes, as a new attempt', async () => {
    const t = setup();
    putSessionEntry(t.space, session('ses_p', { title: 'Review it' }));
    const stop = t.start();
    const runDoc = t.doc('workflow-run:wfr_r');
    initWorkflowRun(runDoc, t.space, {
      runId: 'wfr_r',
      sessionId: 'ses_p',
      workflowName: 'multi-review',
      source: '',
      createdAt: t.tick(),
    });
    const store = new YDocRunStore(runDoc);
    const attempt = () =>
      store.startAttempt({
        runId: 'wfr_r',
        scriptHash: 'h',
        meta: { name: 'multi-review', description: '' },
        cacheRule: 'spec-hash',
        budgetTotal: null,
        startedAt: t.tick(),
      });
    await attempt();
    await vi.waitFor(() => expect(t.open.has('workflow-run:wfr_r')).toBe(true));
    markWorkflowRunStatus(runDoc, 'stopped');
    expect(t.open.has('workflow-run:wfr_r')).toBe(false);
    // Resume: a new attempt, whose agents start again (that is what the index shows).
    await attempt();
    putSessionEntry(
      t.space,
      session('ses_a', {
        parentId: 'ses_p',
        label: 'judge',
        title: 'multi-review · judge',
        status: 'running',
        updatedAt: t.tick(),
      }),
    );
    await vi.waitFor(() => expect(t.open.has('workflow-run:wfr_r')).toBe(true));
    await store.finishAttempt(finish('completed'));
    await vi.waitFor(() => expect(t.events.map((e) => e.id)).toEqual(['workflow:wfr_r:2:completed']));
    stop();
  });

  it('says nothing about a run that had already finished when the tab started', async () => {
    const t = setup();
    putSessionEntry(t.space, session('ses_p'));
    const runDoc = t.doc('workflow-run:wfr_old');
    initWorkflowRun(runDoc, t.space, {
      runId: 'wfr_old',
      sessionId: 'ses_p',
      workflowName: 'multi-review',
      source: '',
      createdAt: START - 1000,
    });
    markWorkflowRunStatus(runDoc, 'failed');
    const stop = t.start();
    await vi.waitFor(() => expect(t.open.size).toBe(0));
    expect(t.events).toEqual([]);
    stop();
  });

  it('reports a subagent finishing and an approval waiting, through the space doc', () => {
    const t = setup();
    putSessionEntry(t.space, session('ses_p', { title: 'Parent' }));
    putSessionEntry(
      t.space,
      session('ses_c', { parentId: 'ses_p', label: 'tests', title: 'tests', status: 'running' }),
    );
    const stop = t.start();
    updateSessionEntry(t.space, 'ses_c', { status: 'done', updatedAt: t.tick() });
    const at = t.tick();
    updateSessionEntry(t.space, 'ses_p', { status: 'waiting-approval', updatedAt: at });
    expect(t.events.map((e) => e.id)).toEqual(['subagent:ses_c:done', `approval:ses_p:${at}`]);
    stop();
    updateSessionEntry(t.space, 'ses_p', { status: 'failed', updatedAt: t.tick() });
    expect(t.events).toHaveLength(2);
  });
});
