import {
  FakeTools,
  makeEngine,
  newSessionDoc,
  replicaOf,
  startTestModel,
  waitForDoc,
} from '@boocode/testkit/engine-harness';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { createTestSeat } from '@boocode/testkit/test-seat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getLease } from '../doc/lease.ts';
import { getRunState, listMessages, observeSession } from '../doc/session.ts';
import { listSpans } from '../doc/spans.ts';
import { SessionBusyError } from './agent-engine.ts';
import type { DriverSeat } from './engine-deps.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startTestModel();
});
afterAll(() => model.close());

describe('agent engine: the driver', () => {
  it('beats its lease while a turn runs, names its driver, and frees the lease after', async () => {
    const doc = newSessionDoc();
    const beats = new Set<number>();
    const stop = observeSession(doc, () => {
      const lease = getLease(doc, 'turn');
      if (lease?.state === 'held') beats.add(lease.beat);
    });
    const seat = { ...createTestSeat('dev_1/tab_1'), beatMs: 40 };
    await makeEngine(doc, model, { seat }).runTurn({ text: 'slow story' });
    stop();
    // The slow story takes ~450 ms: a 40 ms beat must have moved several times during it.
    expect(beats.size).toBeGreaterThan(4);
    expect(getRunState(doc).driver).toMatch(/^tab_/);
    expect(getLease(doc, 'turn')).toMatchObject({ holder: 'dev_1/tab_1', state: 'released' });
  });

  it('holds the lease for the whole turn: it is held while the answer streams', async () => {
    const doc = newSessionDoc();
    const seen: string[] = [];
    const stop = observeSession(doc, () => {
      if (listMessages(doc).length === 2 && !seen.length) seen.push(getLease(doc, 'turn')?.state ?? 'none');
    });
    await makeEngine(doc, model, { seat: createTestSeat('dev_1/tab_1') }).runTurn({ text: 'say hello' });
    stop();
    expect(seen).toEqual(['held']);
    expect(getLease(doc, 'turn')?.state).toBe('released');
  });

  it('refuses to drive a session another driver holds, without touching the doc', async () => {
    const doc = newSessionDoc();
    const busy: DriverSeat = { take: async () => undefined };
    await expect(makeEngine(doc, model, { seat: busy }).runTurn({ text: 'say hello' })).rejects.toBeInstanceOf(
      SessionBusyError,
    );
    expect(listMessages(doc)).toEqual([]);
    expect(getRunState(doc).status).toBe('idle');
  });

  it('a new turn while approval is pending answers the interrupted call as declined', async () => {
    const docA = newSessionDoc();
    const toolsA = new FakeTools();
    toolsA.hold = true;
    const controller = new AbortController();
    const run = makeEngine(docA, model, { tools: toolsA }).runTurn(
      { text: 'write then finish' },
      { signal: controller.signal },
    );
    await waitForDoc(docA, (d) => listSpans(d).some((s) => s.kind === 'tool'));
    const doc = replicaOf(Y.encodeStateAsUpdate(docA));
    controller.abort();
    await run;
    const toolsB = new FakeTools();
    const engine = makeEngine(doc, model, { tools: toolsB });
    expect((await engine.resume())?.outcome).toBe('waiting-approval');

    expect((await engine.runTurn({ text: 'say hello' })).outcome).toBe('ok');
    expect(toolsB.calls).toEqual([]);
    expect(listMessages(doc).map((m) => [m.role, m.turn])).toEqual([
      ['user', 1],
      ['assistant', 1],
      ['tool', 1],
      ['user', 2],
      ['assistant', 2],
    ]);
    expect(getRunState(doc)).toMatchObject({ status: 'idle', turn: 2 });
    expect(getRunState(doc).pendingApprovals).toBeUndefined();
  });
});
