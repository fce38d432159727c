import { appendMessage, getRunState, getSessionMeta, initSessionMeta, listMessages } from '@boocode/shared/doc/session';
import { emptyUsageTotals, type Snapshot } from '@boocode/shared/doc/session-schema';
import { getSessionEntry, putSessionEntry } from '@boocode/shared/doc/space';
import { appendSnapshot, listSnapshots } from '@boocode/shared/doc/spans';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { forkSession } from './fork-session.ts';

function sourceSession() {
  const source = new Y.Doc();
  const space = new Y.Doc();
  initSessionMeta(source, { id: 'ses_a', title: 'Original', kind: 'coder', createdAt: 1, model: 'deepseek-chat' });
  putSessionEntry(space, { id: 'ses_a', title: 'Original', kind: 'coder', status: 'idle', createdAt: 1, updatedAt: 1 });
  const snaps: Snapshot[] = [];
  for (let turn = 1; turn <= 3; turn++) {
    appendMessage(source, { id: `msg_u${turn}`, role: 'user', createdAt: turn, turn, text: `question ${turn}` });
    appendMessage(source, { id: `msg_a${turn}`, role: 'assistant', createdAt: turn, turn, text: `answer ${turn}` });
    const snap: Snapshot = {
      turn,
      at: turn,
      messageCount: turn * 2,
      usage: emptyUsageTotals(),
      pending: [],
      outcome: 'ok',
    };
    appendSnapshot(source, snap);
    snaps.push(snap);
  }
  return { source, space, snaps };
}

describe('forkSession', () => {
  it('copies meta and the first messages into a new session, and notes the fork in both', () => {
    const { source, space, snaps } = sourceSession();
    const before = listMessages(source).map((m) => m.text);
    const target = new Y.Doc();
    let n = 0;
    const res = forkSession({
      source,
      target,
      space,
      at: snaps[1]!,
      newSessionId: 'ses_b',
      now: 99,
      newMessageId: () => `msg_n${n++}`,
    });
    expect(res).toEqual({ ok: true, sessionId: 'ses_b', title: 'Original (fork at turn 2)' });

    expect(getSessionMeta(target)).toMatchObject({
      id: 'ses_b',
      kind: 'coder',
      model: 'deepseek-chat',
      forkedFrom: { sessionId: 'ses_a', turn: 2 },
    });
    const copied = listMessages(target);
    expect(copied.map((m) => m.text).slice(0, 4)).toEqual(before.slice(0, 4));
    expect(copied.at(-1)).toMatchObject({
      role: 'notice',
      text: expect.stringContaining('Forked from “Original” at turn 2'),
    });
    expect(listSnapshots(target).map((s) => s.turn)).toEqual([1, 2]);
    expect(getRunState(target)).toMatchObject({ status: 'idle', turn: 2 });
    expect(getSessionEntry(space, 'ses_b')).toMatchObject({
      title: 'Original (fork at turn 2)',
      kind: 'coder',
      status: 'idle',
    });

    const after = listMessages(source);
    expect(after.slice(0, 6).map((m) => m.text)).toEqual(before);
    expect(after.at(-1)).toMatchObject({ role: 'notice', turn: 3 });
    expect(listSnapshots(source)).toHaveLength(3);
  });

  it('refuses a snapshot that counts more messages than the session has', () => {
    const { source, space, snaps } = sourceSession();
    const res = forkSession({
      source,
      target: new Y.Doc(),
      space,
      at: { ...snaps[0]!, messageCount: 50 },
      newSessionId: 'ses_b',
      now: 1,
      newMessageId: () => 'msg_x',
    });
    expect(res).toMatchObject({ ok: false, code: 'FORK_BAD_SNAPSHOT' });
    expect(listMessages(source)).toHaveLength(6);
  });

  it('an edit fork cuts before the prompt and says it asks that turn again; the original keeps its text', () => {
    const { source, space } = sourceSession();
    const before = listMessages(source).map((m) => m.text);
    const target = new Y.Doc();
    const res = forkSession({
      source,
      target,
      space,
      at: { turn: 2, messageCount: 4 },
      reason: 'edit',
      newSessionId: 'ses_b',
      now: 99,
      newMessageId: () => 'msg_n',
    });
    expect(res).toMatchObject({ ok: true, title: 'Original (edited at turn 3)' });
    expect(listMessages(target).map((m) => m.text)).toEqual([
      ...before.slice(0, 4),
      'Forked from “Original” to ask turn 3 again with an edited message. The original session is unchanged.',
    ]);
    expect(getRunState(target)).toMatchObject({ turn: 2 });
    expect(getSessionMeta(target)?.forkedFrom).toEqual({ sessionId: 'ses_a', turn: 2 });
    const after = listMessages(source);
    expect(after.slice(0, 6).map((m) => m.text)).toEqual(before);
    expect(after.at(-1)?.text).toBe('Turn 3 was asked again with an edited message in “Original (edited at turn 3)”.');
  });
});
