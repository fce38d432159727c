import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { putSubagentRecord } from '../agent/subagents/subagent-records.ts';
import { putLease } from '../doc/lease.ts';
import { appendMessage, initSessionMeta, setRunState } from '../doc/session.ts';
import { emptyUsageTotals } from '../doc/session-schema.ts';
import { appendSnapshot, askSpanApproval, openSpan } from '../doc/spans.ts';
import { initWorkflowRun, markWorkflowRunStatus } from '../doc/workflow-run.ts';
import { sessionHookEvents, subagentHookEvents, workflowHookEvents } from './hook-events.ts';

const HOST = 'host:abc';

function session(): Y.Doc {
  const doc = new Y.Doc();
  initSessionMeta(doc, { id: 'ses_1', title: 'Fix it', kind: 'coder', createdAt: 1 });
  putLease(doc, 'turn', { holder: HOST, epoch: 1, state: 'released', beat: 3 });
  return doc;
}

const snapshot = (turn: number, at: number, outcome: 'ok' | 'interrupted' | 'error') => ({
  turn,
  at,
  messageCount: 0,
  usage: emptyUsageTotals(),
  pending: [],
  outcome,
});

describe('hook events from the docs', () => {
  it('makes one turn.done per ended turn, named by the turn lease holder, and none while the turn waits', () => {
    const doc = session();
    appendMessage(doc, { id: 'msg_1', role: 'assistant', turn: 1, createdAt: 90, text: 'first try' });
    appendMessage(doc, { id: 'msg_2', role: 'assistant', turn: 1, createdAt: 95, text: 'Done: tests pass.' });
    appendSnapshot(doc, snapshot(1, 100, 'ok'));
    appendSnapshot(doc, snapshot(2, 200, 'interrupted'));
    setRunState(doc, { turn: 2, status: 'waiting-approval' });
    expect(sessionHookEvents(doc).map((e) => [e.id, e.firer, e.at, e.data.answer])).toEqual([
      ['turn.done:ses_1:1', HOST, 100, 'Done: tests pass.'],
    ]);
    appendSnapshot(doc, snapshot(2, 300, 'error'));
    setRunState(doc, { status: 'idle' });
    expect(sessionHookEvents(doc).map((e) => [e.id, e.data.outcome])).toEqual([
      ['turn.done:ses_1:1', 'ok'],
      ['turn.done:ses_1:2', 'error'],
    ]);
  });

  it('makes approval.waiting for a tool call asking, and not once it is answered or only to re-run', () => {
    const doc = session();
    openSpan(doc, { id: 'spn_1', kind: 'tool', name: 'run_command', turn: 1, startedAt: 50 });
    askSpanApproval(doc, 'spn_1', { kind: 'ask', reason: 'it runs a program', canAlwaysAllow: true, askedAt: 60 });
    openSpan(doc, { id: 'spn_2', kind: 'tool', name: 'write_file', turn: 1, startedAt: 51 });
    askSpanApproval(doc, 'spn_2', { kind: 'rerun', reason: 'interrupted', canAlwaysAllow: true, askedAt: 61 });
    const events = sessionHookEvents(doc);
    expect(events.map((e) => [e.id, e.at, e.data.tool])).toEqual([['approval.waiting:spn_1', 60, 'run_command']]);
  });

  it('makes subagent.done and subagent.failed from the lead records, named by the subagents lease holder', () => {
    const lead = session();
    putLease(lead, 'subagents', { holder: 'host:other', epoch: 1, state: 'held', beat: 1 });
    const base = { parentId: 'ses_1', parentSpanId: 'spn_x', prompt: 'p', depth: 1, queuedAt: 10 };
    putSubagentRecord(lead, { ...base, id: 'ses_a', label: 'a', status: 'done', endedAt: 20, result: 'fine' });
    putSubagentRecord(lead, { ...base, id: 'ses_b', label: 'b', status: 'failed', endedAt: 21 });
    putSubagentRecord(lead, { ...base, id: 'ses_c', label: 'c', status: 'running' });
    putSubagentRecord(lead, { ...base, id: 'ses_d', label: 'd', status: 'cancelled', endedAt: 22 });
    expect(subagentHookEvents(lead).map((e) => [e.id, e.firer, e.sessionId])).toEqual([
      ['subagent.done:ses_a', 'host:other', 'ses_1'],
      ['subagent.failed:ses_b', 'host:other', 'ses_1'],
    ]);
  });

  it('makes workflow.done or workflow.failed per attempt, logged on the run’s session, and nothing for a stop', () => {
    const run = new Y.Doc();
    const space = new Y.Doc();
    initWorkflowRun(run, space, {
      runId: 'wfr_1',
      sessionId: 'ses_1',
      workflowName: 'review',
      source: '',
      createdAt: 1,
    });
    putLease(run, 'run', { holder: HOST, epoch: 1, state: 'released', beat: 1 });
    expect(workflowHookEvents(run)).toEqual([]);
    markWorkflowRunStatus(run, 'failed');
    expect(workflowHookEvents(run).map((e) => [e.id, e.firer, e.sessionId])).toEqual([
      ['workflow.failed:wfr_1:0', HOST, 'ses_1'],
    ]);
    markWorkflowRunStatus(run, 'stopped');
    expect(workflowHookEvents(run)).toEqual([]);
  });
});
