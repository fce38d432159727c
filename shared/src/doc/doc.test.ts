import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { idTime, newId } from '../ids.ts';
import { parseDocName, sessionDocName } from './names.ts';
import { appendMessage, appendMessageText, getSessionMeta, initSessionMeta, listMessages } from './session.ts';
import { emptyUsageTotals } from './session-schema.ts';
import { countChildSessions, listSessions, putSessionEntry, updateSessionEntry } from './space.ts';
import { appendSnapshot, closeSpan, listOpenSpans, listSnapshots, listSpans, openSpan } from './spans.ts';

function sync(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('ids and doc names', () => {
  it('ids sort by creation time and carry it', () => {
    const a = newId('ses', 1000);
    const b = newId('ses', 2000);
    expect(a < b).toBe(true);
    expect(idTime(b)).toBe(2000);
  });
  it('parses session and refuses foreign doc names', () => {
    expect(parseDocName(sessionDocName('ses_1'))).toEqual({ kind: 'session', id: 'ses_1' });
    expect(parseDocName('../etc')).toBeUndefined();
    expect(parseDocName('x'.repeat(129))).toBeUndefined();
  });
});

describe('space doc', () => {
  it('lists sessions by last activity, hides archived and deleted, searches titles', () => {
    const doc = new Y.Doc();
    const base = { kind: 'chat' as const, status: 'idle' as const, createdAt: 1 };
    putSessionEntry(doc, { ...base, id: 'a', title: 'Alpha', updatedAt: 10 });
    putSessionEntry(doc, { ...base, id: 'b', title: 'Beta', updatedAt: 30 });
    putSessionEntry(doc, { ...base, id: 'c', title: 'Gamma', updatedAt: 20 });
    expect(listSessions(doc).map((s) => s.id)).toEqual(['b', 'c', 'a']);
    updateSessionEntry(doc, 'b', { archivedAt: 40 });
    updateSessionEntry(doc, 'c', { deletedAt: 40 });
    expect(listSessions(doc).map((s) => s.id)).toEqual(['a']);
    expect(listSessions(doc, { includeArchived: true, search: 'et' }).map((s) => s.id)).toEqual(['b']);
    updateSessionEntry(doc, 'c', { deletedAt: undefined });
    expect(listSessions(doc).map((s) => s.id)).toEqual(['c', 'a']);
  });
  it('can leave out sessions an agent started, and counts them per parent', () => {
    const doc = new Y.Doc();
    const base = { kind: 'chat' as const, status: 'idle' as const, createdAt: 1, updatedAt: 1 };
    putSessionEntry(doc, { ...base, id: 'p', title: 'Parent' });
    putSessionEntry(doc, { ...base, id: 'c1', title: 'Child 1', parentId: 'p' });
    putSessionEntry(doc, { ...base, id: 'c2', title: 'Child 2', parentId: 'p', deletedAt: 2 });
    expect(listSessions(doc, { topLevelOnly: true }).map((s) => s.id)).toEqual(['p']);
    expect(
      listSessions(doc)
        .map((s) => s.id)
        .sort(),
    ).toEqual(['c1', 'p']);
    expect(countChildSessions(doc)).toEqual(new Map([['p', 1]]));
  });
});

describe('session doc', () => {
  it('streams text into a message and converges across replicas', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    initSessionMeta(a, { id: 's', title: 'T', kind: 'chat', createdAt: 1 });
    appendMessage(a, { id: 'm1', role: 'assistant', createdAt: 1, turn: 1, status: 'streaming' });
    appendMessageText(a, 'm1', 'Hello, ');
    sync(a, b);
    appendMessageText(b, 'm1', 'world');
    appendMessageText(a, 'm1', 'thinking', 'reasoning');
    sync(a, b);
    expect(listMessages(b)[0]).toMatchObject({ text: 'Hello, world', reasoning: 'thinking', status: 'streaming' });
    expect(getSessionMeta(b)?.title).toBe('T');
  });
  it('an opened span stays open until closed; snapshots append in order', () => {
    const doc = new Y.Doc();
    openSpan(doc, { id: 'spn_2', kind: 'tool', name: 'read_file', turn: 1, startedAt: 5, input: { path: 'a' } });
    openSpan(doc, { id: 'spn_1', kind: 'model', name: 'chat', turn: 1, startedAt: 1 });
    expect(listSpans(doc).map((s) => s.id)).toEqual(['spn_1', 'spn_2']);
    closeSpan(doc, 'spn_1', { status: 'ok', endedAt: 4 });
    expect(listOpenSpans(doc).map((s) => s.id)).toEqual(['spn_2']);
    appendSnapshot(doc, { turn: 1, at: 9, messageCount: 3, usage: emptyUsageTotals(), pending: [], outcome: 'ok' });
    expect(listSnapshots(doc)).toHaveLength(1);
  });
});
