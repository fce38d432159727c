// wakeIdleLead: a finished background child starts a lead turn carrying its result, only when the lead is
// idle and the user has not turned that off for the session.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getRunState, initSessionMeta, listMessages, setRunState, setSessionMeta } from '../../doc/session.ts';
import { newId } from '../../ids.ts';
import { putSubagentRecord, wakeIdleLead } from './subagent-records.ts';

function leadWithFinishedChild(): Y.Doc {
  const doc = new Y.Doc();
  initSessionMeta(doc, { id: 'ses_lead', title: 'lead', kind: 'coder', createdAt: 1 });
  setRunState(doc, { status: 'idle', turn: 3 });
  putSubagentRecord(doc, {
    id: 'ses_child',
    parentId: 'ses_lead',
    parentSpanId: 'spn_1',
    label: 'tests',
    prompt: 'run the tests',
    depth: 1,
    status: 'done',
    queuedAt: 10,
    endedAt: 20,
    result: 'all 12 tests pass',
  });
  return doc;
}

const msgId = () => newId('msg');

describe('wakeIdleLead', () => {
  it('queues a lead turn that carries the result, once', () => {
    const doc = leadWithFinishedChild();
    expect(wakeIdleLead(doc, 30, msgId)).toBe(4);
    expect(getRunState(doc)).toMatchObject({ status: 'queued', turn: 4 });
    expect(
      listMessages(doc)
        .map((m) => m.text)
        .join('\n'),
    ).toContain('all 12 tests pass');
    setRunState(doc, { status: 'idle' });
    expect(wakeIdleLead(doc, 40, msgId)).toBeUndefined();
  });

  it('does not wake a lead whose user turned "Continue on results" off', () => {
    const doc = leadWithFinishedChild();
    setSessionMeta(doc, { wakeOnResults: false });
    expect(wakeIdleLead(doc, 30, msgId)).toBeUndefined();
    expect(getRunState(doc)).toMatchObject({ status: 'idle', turn: 3 });
    expect(listMessages(doc)).toHaveLength(0);
  });

  it('leaves a busy lead alone: it reads the result at its next turn boundary', () => {
    const doc = leadWithFinishedChild();
    setRunState(doc, { status: 'running' });
    expect(wakeIdleLead(doc, 30, msgId)).toBeUndefined();
  });
});
