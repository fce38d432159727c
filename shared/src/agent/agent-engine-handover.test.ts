// The engine as one of several drivers of a session: approvals asked and answered in the doc (any replica
// answers, the lease holder acts), a driver that lets go (page unloading, lease lost) writing nothing more,
// and a turn queued by one driver and run by another.
import { FakeTools, newSessionDoc, replicaOf, waitForDoc } from '@boocode/testkit/engine-harness';
import { createFakeModelClient, type FakeReply } from '@boocode/testkit/fake-model-client';
import { createTestSeat } from '@boocode/testkit/test-seat';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getLease } from '../doc/lease.ts';
import { getRunState, listMessages, requestTurnCancel } from '../doc/session.ts';
import { answerSpanApproval, listAwaitingApprovals, listSpans } from '../doc/spans.ts';
import { newId } from '../ids.ts';
import type { ChatRequest } from '../model/model-client.ts';
import { AgentEngine, queueTurn } from './agent-engine.ts';
import { type DriverSeat, realClock } from './engine-deps.ts';
import { turnDemand } from './turn-demand.ts';

/** The model asks for one write, then answers "Written." */
function writeThenAnswer(extra: Partial<FakeReply> = {}) {
  return (req: ChatRequest): FakeReply => {
    const last = req.messages.at(-1);
    if (last?.role === 'tool') return { text: 'Written.' };
    return { ...extra, toolCalls: [{ id: 'call_w', name: 'write_file', arguments: { path: 'a.txt', content: 'x' } }] };
  };
}

function engine(doc: Y.Doc, script: Parameters<typeof createFakeModelClient>[0], tools?: FakeTools, seat?: DriverSeat) {
  const model = createFakeModelClient(script);
  const e = new AgentEngine(
    { doc, model, tools, clock: realClock, newId: (p) => newId(p), driverId: 'dev_a/tab_1', seat },
    { model: 'fake', flushMs: 0 },
  );
  return { engine: e, model };
}

/** Applies every update of `from` to `to` as it happens (a second tab or device on the same doc). */
function link(a: Y.Doc, b: Y.Doc): () => void {
  const ab = (u: Uint8Array, origin: unknown) => origin !== 'link' && Y.applyUpdate(b, u, 'link');
  const ba = (u: Uint8Array, origin: unknown) => origin !== 'link' && Y.applyUpdate(a, u, 'link');
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a), 'link');
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b), 'link');
  a.on('update', ab);
  b.on('update', ba);
  return () => {
    a.off('update', ab);
    b.off('update', ba);
  };
}

describe('agent engine: approvals in the doc', () => {
  it('a call that needs the user waits as awaiting-approval; an answer written on another replica lets it run once', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    tools.asking.add('write_file');
    const { engine: e } = engine(doc, writeThenAnswer(), tools);
    const turn = e.runTurn({ text: 'write it' });
    await waitForDoc(doc, (d) => listAwaitingApprovals(d).length === 1);
    const [waiting] = listAwaitingApprovals(doc);
    expect(waiting).toMatchObject({ status: 'awaiting-approval', approval: { kind: 'ask', canAlwaysAllow: true } });
    expect(tools.calls).toHaveLength(0);

    // Another device answers in its own copy of the doc.
    const other = new Y.Doc();
    const unlink = link(doc, other);
    expect(answerSpanApproval(other, waiting!.id, 'approve', 'dev_b/tab_9', Date.now())).toBe(true);
    // A second answer (another tab, a double click) changes nothing.
    expect(answerSpanApproval(other, waiting!.id, 'deny', 'dev_c/tab_2', Date.now())).toBe(false);
    expect((await turn).outcome).toBe('ok');
    unlink();

    expect(tools.calls.map((c) => c.name)).toEqual(['write_file']);
    const span = listSpans(doc).find((s) => s.id === waiting!.id)!;
    expect(span.status).toBe('ok');
    expect(span.approval).toMatchObject({ answer: 'approve', answeredBy: 'dev_b/tab_9' });
    // Waiting is told apart from running: the answer came after the question, and the span ended after that.
    expect(span.approval!.answeredAt!).toBeGreaterThanOrEqual(span.approval!.askedAt);
    expect(span.endedAt!).toBeGreaterThanOrEqual(span.approval!.answeredAt!);
    expect(listMessages(doc).at(-1)?.text).toBe('Written.');
  });

  it('a driver that dies while a call waits for the user: the next one asks again, and an answer given meanwhile counts', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    tools.asking.add('write_file');
    const first = engine(doc, writeThenAnswer(), tools);
    const turn = first.engine.runTurn({ text: 'write it' });
    await waitForDoc(doc, (d) => listAwaitingApprovals(d).length === 1);
    // The tab dies here: all that is left is the doc as it was.
    const left = replicaOf(Y.encodeStateAsUpdate(doc));
    first.engine.abandon();
    await turn;
    const [asked] = listAwaitingApprovals(left);
    // The user answers from another device while no driver runs.
    expect(answerSpanApproval(left, asked!.id, 'approve', 'dev_b/tab_9', Date.now())).toBe(true);

    const tools2 = new FakeTools();
    tools2.asking.add('write_file');
    const second = engine(left, writeThenAnswer(), tools2);
    expect((await second.engine.resume())?.outcome).toBe('ok');
    // It ran once, without asking a second time, and the first span says it never ran.
    expect(tools2.calls).toHaveLength(1);
    expect(listAwaitingApprovals(left)).toHaveLength(0);
    const spans = listSpans(left).filter((s) => s.kind === 'tool');
    expect(spans.map((s) => [s.status, s.error?.code])).toEqual([
      ['interrupted', 'not-started'],
      ['ok', undefined],
    ]);
    expect(second.model.requests).toHaveLength(1);
  });

  it('a write the user approved, interrupted while it ran, is asked about again: "Approve" was for one run', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    tools.asking.add('write_file');
    tools.hold = true;
    const first = engine(doc, writeThenAnswer(), tools);
    const turn = first.engine.runTurn({ text: 'write it' });
    await waitForDoc(doc, (d) => listAwaitingApprovals(d).length === 1);
    answerSpanApproval(doc, listAwaitingApprovals(doc)[0]!.id, 'approve', 'dev_a/tab_1', Date.now());
    await waitForDoc(doc, (d) => listSpans(d).some((s) => s.kind === 'tool' && s.status === 'open'));
    const left = replicaOf(Y.encodeStateAsUpdate(doc));
    first.engine.abandon();
    await turn;

    const tools2 = new FakeTools();
    const second = engine(left, writeThenAnswer(), tools2);
    expect((await second.engine.resume())?.outcome).toBe('waiting-approval');
    const [rerun] = listAwaitingApprovals(left);
    expect(rerun?.approval).toMatchObject({ kind: 'rerun' });
    expect(rerun?.approval?.answer).toBeUndefined();
    expect(turnDemand(left)).toBe('none');
    expect(tools2.calls).toHaveLength(0);
  });

  it('a write interrupted mid-run is not re-run until someone answers "Run again" in the doc', async () => {
    const doc = newSessionDoc();
    const tools = new FakeTools();
    tools.hold = true;
    const first = engine(doc, writeThenAnswer(), tools);
    const turn = first.engine.runTurn({ text: 'write it' });
    await waitForDoc(doc, (d) => listSpans(d).some((s) => s.kind === 'tool'));
    const left = replicaOf(Y.encodeStateAsUpdate(doc));
    first.engine.abandon();
    await turn;

    const tools2 = new FakeTools();
    const second = engine(left, writeThenAnswer(), tools2);
    const waiting = await second.engine.resume();
    expect(waiting?.outcome).toBe('waiting-approval');
    const [rerun] = listAwaitingApprovals(left);
    expect(rerun?.approval?.kind).toBe('rerun');
    expect(getRunState(left).status).toBe('waiting-approval');
    expect(tools2.calls).toHaveLength(0);
    // Nothing answered yet: a resume changes nothing.
    expect((await second.engine.resume())?.outcome).toBe('waiting-approval');

    answerSpanApproval(left, rerun!.id, 'approve', 'dev_b/tab_9', Date.now());
    expect((await second.engine.resume())?.outcome).toBe('ok');
    expect(tools2.calls).toHaveLength(1);
    expect(listMessages(left).at(-1)?.text).toBe('Written.');
  });
});

describe('agent engine: letting go and handing over', () => {
  it('abandon mid-stream writes nothing more; the next driver asks once more and the answer is whole', async () => {
    const doc = newSessionDoc();
    const text = 'A long answer that streams in small pieces for a while.';
    const first = engine(doc, [{ text, chunkChars: 4, hold: true }]);
    const turn = first.engine.runTurn({ text: 'tell me' });
    await first.model.waitForCalls(1);
    first.model.release(0);
    await waitForDoc(doc, (d) => (listMessages(d)[1]?.text.length ?? 0) >= 8);
    first.engine.abandon();
    expect((await turn).outcome).toBe('abandoned');
    const before = Y.encodeStateVector(doc);
    const left = replicaOf(Y.encodeStateAsUpdate(doc));
    // Nothing was written after the abandon: no error, no cancelled status, the span still open.
    expect(listMessages(doc)[1]?.status).toBe('streaming');
    expect(listSpans(doc).find((s) => s.kind === 'model')?.status).toBe('open');
    expect(Y.encodeStateVector(doc)).toEqual(before);

    const second = engine(left, [{ text }]);
    expect((await second.engine.resume())?.outcome).toBe('ok');
    const msgs = listMessages(left);
    expect(msgs.map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    expect(msgs[1]?.text).toBe(text);
    const [cut, whole] = listSpans(left).filter((s) => s.kind === 'model');
    expect(cut).toMatchObject({ status: 'interrupted', output: { kept: false } });
    expect((cut!.output as { partialChars: number }).partialChars).toBeGreaterThanOrEqual(8);
    expect(cut!.error?.message).toMatch(/characters streamed so far were dropped/);
    expect(whole?.status).toBe('ok');
    expect(second.model.requests).toHaveLength(1);
  });

  it('a driver whose lease another driver took stops at once and writes nothing more', async () => {
    const doc = newSessionDoc();
    const first = engine(
      doc,
      [{ text: 'one two three four five six', chunkChars: 3, hold: true }],
      undefined,
      createTestSeat('dev_a/tab_1'),
    );
    const turn = first.engine.runTurn({ text: 'go' });
    await first.model.waitForCalls(1);
    expect(getLease(doc, 'turn')).toMatchObject({ holder: 'dev_a/tab_1', state: 'held' });
    // The host takes over (it judged the tab gone): the tab's engine must let go.
    const taken = await createTestSeat('host:h1').take(doc);
    first.model.release(0);
    expect((await turn).outcome).toBe('abandoned');
    expect(taken?.stillMine()).toBe(true);
    expect(listMessages(doc)[1]?.text).toBe('');
    expect(listSpans(doc).find((s) => s.kind === 'model')?.status).toBe('open');
  });

  it('a queued turn (a message handed to the host) is run by whoever resumes it', async () => {
    const doc = newSessionDoc();
    queueTurn(doc, { text: 'hello there' }, { clock: realClock, newId: (p) => newId(p) });
    expect(getRunState(doc)).toMatchObject({ status: 'queued', turn: 1 });
    const host = engine(doc, [{ text: 'Hi!' }], undefined, createTestSeat('host:h1'));
    expect((await host.engine.resume())?.outcome).toBe('ok');
    expect(listMessages(doc).map((m) => [m.role, m.text])).toEqual([
      ['user', 'hello there'],
      ['assistant', 'Hi!'],
    ]);
    expect(getRunState(doc)).toMatchObject({ status: 'idle', driver: 'dev_a/tab_1' });
    expect(host.model.requests).toHaveLength(1);
  });

  it('Stop pressed on another replica ends the running turn cancelled, on both', async () => {
    const doc = newSessionDoc();
    const other = new Y.Doc();
    const unlink = link(doc, other);
    const driver = engine(
      doc,
      [{ text: 'one two three four five six', chunkChars: 3, hold: true }],
      undefined,
      createTestSeat('dev_a/tab_1'),
    );
    const turn = driver.engine.runTurn({ text: 'go' });
    await driver.model.waitForCalls(1);
    requestTurnCancel(other);
    driver.model.release(0);
    expect((await turn).outcome).toBe('cancelled');
    for (const d of [doc, other]) {
      expect(listMessages(d)[1]).toMatchObject({ role: 'assistant', status: 'cancelled' });
      expect(getRunState(d).status).toBe('idle');
    }
    unlink();
  });
});
