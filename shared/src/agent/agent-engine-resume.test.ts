import {
  FakeTools,
  makeEngine,
  newSessionDoc,
  replicaOf,
  startTestModel,
  waitForDoc,
} from '@boocode/testkit/engine-harness';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getRunState, listMessages } from '../doc/session.ts';
import { listSnapshots, listSpans } from '../doc/spans.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startTestModel();
});
afterAll(() => model.close());
beforeEach(() => model.reset());

/**
 * Runs a turn on driver A until `crashPoint` holds, then "kills" A: the doc state at that instant is all that
 * survives (A and its replica are dropped; A is aborted only so its sockets close). Returns a replica for B.
 */
async function crashDuringTurn(text: string, crashPoint: (doc: Y.Doc) => boolean, tools?: FakeTools): Promise<Y.Doc> {
  const docA = newSessionDoc();
  const controller = new AbortController();
  const run = makeEngine(docA, model, { tools }).runTurn({ text }, { signal: controller.signal });
  await waitForDoc(docA, crashPoint);
  const survived = Y.encodeStateAsUpdate(docA);
  controller.abort();
  await run;
  return replicaOf(survived);
}

const toolSpanOpen = (d: Y.Doc) => listSpans(d).some((s) => s.kind === 'tool' && s.status === 'open');

describe('agent engine: crash and resume', () => {
  it('mid-stream: the open span becomes interrupted and the answer is re-streamed into the same message', async () => {
    const doc = await crashDuringTurn('slow story', (d) => (listMessages(d)[1]?.text.length ?? 0) > 8);
    expect(getRunState(doc).status).toBe('running');
    expect(listSpans(doc).some((s) => s.status === 'open')).toBe(true);
    const partialId = listMessages(doc)[1]!.id;

    const result = await makeEngine(doc, model).resume();

    expect(result?.outcome).toBe('ok');
    const msgs = listMessages(doc);
    expect(msgs.map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    expect(msgs[1]?.id).toBe(partialId);
    expect(msgs[1]?.text).toBe(
      'Once upon a time, a slow model streamed a story one small piece at a time, and the driver listened until the very end.',
    );
    const spans = listSpans(doc);
    expect(spans.map((s) => s.status)).toEqual(['interrupted', 'ok']);
    expect(spans[0]?.error?.code).toBe('interrupted');
    expect(spans.every((s) => s.messageId === partialId)).toBe(true);
    expect(listSnapshots(doc).at(-1)?.outcome).toBe('ok');
    expect(getRunState(doc).status).toBe('idle');
  });

  it('mid-tool, not read-only: the call is not re-run but waits for approval, then runs once', async () => {
    const toolsA = new FakeTools();
    toolsA.hold = true;
    const doc = await crashDuringTurn('write then finish', toolSpanOpen, toolsA);
    const toolsB = new FakeTools();
    const engineB = makeEngine(doc, model, { tools: toolsB });

    const result = await engineB.resume();

    expect(result?.outcome).toBe('waiting-approval');
    expect(toolsB.calls).toEqual([]);
    const interrupted = listSpans(doc).find((s) => s.kind === 'tool')!;
    expect(interrupted).toMatchObject({ name: 'write_file', status: 'interrupted', readOnly: false });
    expect(result?.pendingApprovals).toEqual([interrupted.id]);
    expect(getRunState(doc)).toMatchObject({ status: 'waiting-approval', pendingApprovals: [interrupted.id] });
    // Resuming again (a reload) does not run it either.
    expect((await makeEngine(doc, model, { tools: toolsB }).resume())?.outcome).toBe('waiting-approval');
    expect(toolsB.calls).toEqual([]);

    const approved = await engineB.resolveApproval(interrupted.id, 'approve');

    expect(approved.outcome).toBe('ok');
    expect(toolsB.calls.map((c) => c.id)).toEqual(['call_w']);
    expect(listMessages(doc).map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(listMessages(doc).at(-1)?.text).toBe('Written.');
    expect(getRunState(doc).status).toBe('idle');
  });

  it('mid-tool, not read-only, declined: the model is told it was not re-run', async () => {
    const toolsA = new FakeTools();
    toolsA.hold = true;
    const doc = await crashDuringTurn('write then finish', toolSpanOpen, toolsA);
    const toolsB = new FakeTools();
    const engineB = makeEngine(doc, model, { tools: toolsB });
    const spanId = (await engineB.resume())?.pendingApprovals?.[0];

    const result = await engineB.resolveApproval(spanId!, 'deny');

    expect(result.outcome).toBe('ok');
    expect(toolsB.calls).toEqual([]);
    const toolMsg = listMessages(doc).find((m) => m.role === 'tool');
    expect(toolMsg).toMatchObject({ status: 'cancelled', toolCallId: 'call_w' });
    expect(toolMsg?.text).toMatch(/Not re-run/);
  });

  it('mid-tool, read-only: the call is re-run without asking and the turn completes once', async () => {
    const toolsA = new FakeTools();
    toolsA.hold = true;
    const doc = await crashDuringTurn('read then finish', toolSpanOpen, toolsA);
    const toolsB = new FakeTools();

    const result = await makeEngine(doc, model, { tools: toolsB }).resume();

    expect(result?.outcome).toBe('ok');
    expect(toolsB.calls.map((c) => c.id)).toEqual(['call_r']);
    expect(listMessages(doc).map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(listMessages(doc).at(-1)?.text).toBe('Read it: contents of in.txt');
    expect(listSpans(doc).map((s) => [s.kind, s.status])).toEqual([
      ['model', 'ok'],
      ['tool', 'interrupted'],
      ['tool', 'ok'],
      ['model', 'ok'],
    ]);
  });

  it('nothing to resume after a finished turn', async () => {
    const doc = newSessionDoc();
    await makeEngine(doc, model).runTurn({ text: 'say hello' });
    expect(getRunState(doc).status).toBe('idle');
    expect(await makeEngine(doc, model).resume()).toBeUndefined();
    expect(listMessages(doc)).toHaveLength(2);
  });
});
