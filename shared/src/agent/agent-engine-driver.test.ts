import {
  FakeTools,
  makeEngine,
  newSessionDoc,
  replicaOf,
  startTestModel,
  waitForDoc,
} from '@boocode/testkit/engine-harness';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getRunState, listMessages, observeSession } from '../doc/session.ts';
import { listSpans } from '../doc/spans.ts';
import { SessionBusyError } from './agent-engine.ts';
import type { SessionLock } from './engine-deps.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startTestModel();
});
afterAll(() => model.close());

describe('agent engine: the driver', () => {
  it('heartbeats in the run state while a turn runs, and names its driver', async () => {
    const doc = newSessionDoc();
    const beats = new Set<number>();
    const stop = observeSession(doc, () => {
      const run = getRunState(doc);
      if (run.status === 'running' && run.heartbeatAt) beats.add(run.heartbeatAt);
    });
    await makeEngine(doc, model, { config: { heartbeatMs: 40 } }).runTurn({ text: 'slow story' });
    stop();
    // The slow story takes ~450 ms: a 40 ms heartbeat must have beaten several times during it.
    expect(beats.size).toBeGreaterThan(4);
    expect(getRunState(doc).driver).toMatch(/^tab_/);
  });

  it('holds the session lock for the whole turn and releases it after', async () => {
    const doc = newSessionDoc();
    const events: string[] = [];
    const lock: SessionLock = {
      acquire: async (key) => {
        events.push(`acquire ${key.slice(0, 4)}`);
        return { release: () => events.push('release') };
      },
    };
    const engine = makeEngine(doc, model, { lock });
    const stop = observeSession(doc, () => {
      if (listMessages(doc).length === 2 && !events.includes('streaming')) events.push('streaming');
    });
    await engine.runTurn({ text: 'say hello' });
    stop();
    expect(events).toEqual(['acquire ses_', 'streaming', 'release']);
  });

  it('refuses to drive a session another driver holds, without touching the doc', async () => {
    const doc = newSessionDoc();
    const busy: SessionLock = { acquire: async () => undefined };
    await expect(makeEngine(doc, model, { lock: busy }).runTurn({ text: 'say hello' })).rejects.toBeInstanceOf(
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
