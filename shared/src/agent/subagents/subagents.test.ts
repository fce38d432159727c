import { testToolContext, waitForDoc } from '@boocode/testkit/engine-harness';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { createTestSeat } from '@boocode/testkit/test-seat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getSessionMeta, initSessionMeta, listMessages, setRunState, updateMessage } from '../../doc/session.ts';
import { getSessionEntry, listSessions, putSessionEntry } from '../../doc/space.ts';
import { listSpans } from '../../doc/spans.ts';
import { newId } from '../../ids.ts';
import { createChatCompletionsClient } from '../../model/chat-completions-client.ts';
import { AgentEngine } from '../agent-engine.ts';
import { type DriverSeat, realClock, type ToolExecutor, type ToolResult } from '../engine-deps.ts';
import { runChildTurn } from './child-turn.ts';
import { createSubagentManager, type SubagentManager, type SubagentManagerOptions } from './subagent-manager.ts';
import {
  getSubagentRecord,
  listSubagentRecords,
  observeSubagentRecords,
  type SubagentStatus,
  updateSubagentRecord,
} from './subagent-records.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'subagents') });
});
afterAll(() => model.close());
beforeEach(() => model.reset());

/**
 * A workspace with one top-level session whose engine has the subagent tools and delivers results.
 * `driver()` makes another manager over the same docs (another tab); `runs` lists who ran each child.
 */
function setup(limits: Pick<SubagentManagerOptions, 'maxConcurrent' | 'maxDepth'> = {}, parentTools?: ToolExecutor) {
  const space = new Y.Doc();
  const docs = new Map<string, Y.Doc>();
  const open = (id: string) => {
    const d = docs.get(id) ?? new Y.Doc();
    docs.set(id, d);
    return d;
  };
  const now = Date.now();
  const parentId = newId('ses');
  const parentDoc = open(parentId);
  initSessionMeta(parentDoc, { id: parentId, title: 'lead', kind: 'chat', createdAt: now });
  putSessionEntry(space, { id: parentId, title: 'lead', kind: 'chat', status: 'idle', createdAt: now, updatedAt: now });
  const client = createChatCompletionsClient({ baseUrl: model.baseUrl, apiKey: 'test-key' });
  const stats = { active: 0, maxActive: 0 };
  const runs = new Map<string, string[]>();
  const engineFor = (m: SubagentManager, doc: Y.Doc, base?: ToolExecutor, seat?: DriverSeat) =>
    new AgentEngine(
      {
        doc,
        seat,
        model: client,
        tools: m.tools(doc, base),
        clock: realClock,
        newId: (p) => newId(p),
        driverId: newId('tab'),
      },
      { model: 'scripted-deepseek' },
      { atTurnBoundary: (d, turn) => m.deliverResults(d, turn) },
    );
  const driver = (l = limits, name = 'first', seat?: DriverSeat): SubagentManager => {
    const m: SubagentManager = createSubagentManager({
      space,
      openSessionDoc: open,
      newId: (p) => newId(p),
      clock: realClock,
      ...l,
      runChild: async (childDoc, prompt, opts, signal) => {
        runs.set(opts.childId, [...(runs.get(opts.childId) ?? []), name]);
        stats.maxActive = Math.max(stats.maxActive, ++stats.active);
        try {
          return await runChildTurn(engineFor(m, childDoc, undefined, seat), childDoc, prompt, signal);
        } finally {
          stats.active--;
        }
      },
    });
    return m;
  };
  const manager = driver();
  const parent = engineFor(manager, parentDoc, parentTools);
  return { space, parentId, parentDoc, parent, manager, stats, open, driver, runs };
}

function callTool(tools: ToolExecutor, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return tools.execute({ id: 'call_test', name, args, rawArguments: JSON.stringify(args) }, testToolContext());
}

/** Every status each child went through, by label, as the parent doc recorded it. */
function recordTransitions(parentDoc: Y.Doc) {
  const seen: Record<string, SubagentStatus[]> = {};
  let maxRunning = 0;
  observeSubagentRecords(parentDoc, (changed) => {
    for (const r of changed) {
      const list = seen[r.label] ?? [];
      seen[r.label] = list;
      if (list.at(-1) !== r.status) list.push(r.status);
    }
    maxRunning = Math.max(maxRunning, listSubagentRecords(parentDoc).filter((r) => r.status === 'running').length);
  });
  return { seen, maxRunning: () => maxRunning };
}

const resultMessages = (doc: Y.Doc) =>
  listMessages(doc).filter((m) => m.role === 'user' && m.text.startsWith('[subagent '));

describe('background subagents', () => {
  it('the parent spawns three children, keeps chatting, and receives each result as a message exactly once', async () => {
    const { parent, parentDoc, parentId, manager, space, open } = setup();
    expect(await parent.runTurn({ text: 'spawn three helpers' })).toMatchObject({ outcome: 'ok' });

    // spawn_subagent returned at once: the turn is over while the children still run.
    const spawned = listMessages(parentDoc).filter((m) => m.role === 'tool');
    expect(spawned.map((m) => m.text)).toEqual([
      expect.stringMatching(/^Started subagent "alpha" with id ses_\w+ \(status: running\)/),
      expect.stringMatching(/^Started subagent "beta" with id ses_/),
      expect.stringMatching(/^Started subagent "gamma" with id ses_/),
    ]);
    const children = manager.status(parentDoc);
    expect(children.map((c) => c.status)).not.toContain('done');
    const early = await callTool(manager.tools(parentDoc), 'subagent_result', { id: children[0]!.id });
    expect(early).toMatchObject({ ok: false, error: { code: 'SUBAGENT_STILL_RUNNING' } });
    expect(early.ok || early.error.message).toMatch(/still running/);

    // Each child is a session of its own, linked to the parent and to the spawning tool span.
    const spawnSpans = listSpans(parentDoc).filter((s) => s.name === 'spawn_subagent');
    for (const [i, c] of children.entries()) {
      expect(getSessionEntry(space, c.id)).toMatchObject({ parentId, label: c.label });
      expect(getSessionMeta(open(c.id))).toMatchObject({ parentId, parentSpanId: spawnSpans[i]!.id });
    }

    expect(await parent.runTurn({ text: 'what else?' })).toMatchObject({ outcome: 'ok' });
    expect(manager.status(parentDoc).map((c) => c.status)).not.toEqual(['done', 'done', 'done']);

    await manager.settled(parentId);
    await parent.runTurn({ text: 'any news?' });
    const delivered = resultMessages(parentDoc);
    expect(delivered.map((m) => m.text.split('\n')[1])).toEqual(
      expect.arrayContaining([
        'alpha found the bug in parser.ts',
        'beta wrote the missing tests',
        'gamma updated the docs',
      ]),
    );
    expect(delivered).toHaveLength(3);
    // The model saw them in the request of that turn, before the user's question.
    const sent = (model.requests().at(-1)!.body as { messages: Array<{ role: string; content: string }> }).messages;
    const users = sent.filter((m) => m.role === 'user').map((m) => m.content);
    expect(users.at(-1)).toBe('any news?');
    expect(users.filter((t) => t.startsWith('[subagent ') && t.includes('finished'))).toHaveLength(0);
    expect(users.filter((t) => /^\[subagent (alpha|beta|gamma) done\]/.test(t))).toHaveLength(3);

    await parent.runTurn({ text: 'what else?' });
    expect(resultMessages(parentDoc)).toHaveLength(3);
    expect(
      listSpans(parentDoc)
        .filter((s) => s.kind === 'subagent')
        .map((s) => s.status),
    ).toEqual(['ok', 'ok', 'ok']);
  });

  it('status reports queued, running, done in order, with elapsed time, tokens and last activity', async () => {
    const { parent, parentDoc, parentId, manager } = setup();
    const transitions = recordTransitions(parentDoc);
    await parent.runTurn({ text: 'spawn three helpers' });
    await manager.settled(parentId);

    expect(transitions.seen).toEqual({
      alpha: ['queued', 'running', 'done'],
      beta: ['queued', 'running', 'done'],
      gamma: ['queued', 'running', 'done'],
    });
    const out = await callTool(manager.tools(parentDoc), 'subagent_status', {});
    expect(out.ok).toBe(true);
    const views = JSON.parse(out.ok ? out.output : '[]') as Array<Record<string, unknown>>;
    expect(views).toHaveLength(3);
    for (const v of views) {
      expect(v).toMatchObject({ status: 'done' });
      expect(v.elapsedMs).toBeGreaterThan(0);
      expect((v.tokens as { total: number }).total).toBeGreaterThan(0);
      expect(v.lastActivityAt).toBeGreaterThan(0);
    }
    const alpha = manager.status(parentDoc).find((v) => v.label === 'alpha')!;
    expect(await callTool(manager.tools(parentDoc), 'subagent_result', { id: alpha.id })).toEqual({
      ok: true,
      output: 'alpha found the bug in parser.ts',
    });
  });

  it('holds children beyond the concurrency limit in a queue and runs them as slots free up', async () => {
    const { parent, parentDoc, parentId, manager, stats } = setup({ maxConcurrent: 2 });
    const transitions = recordTransitions(parentDoc);
    await parent.runTurn({ text: 'spawn four helpers' });
    const spawned = listMessages(parentDoc).filter((m) => m.role === 'tool');
    expect(spawned.map((m) => /\(status: (\w+)\)/.exec(m.text)?.[1])).toEqual([
      'running',
      'running',
      'queued',
      'queued',
    ]);
    await manager.settled(parentId);

    expect(stats.maxActive).toBe(2);
    expect(transitions.maxRunning()).toBe(2);
    expect(manager.status(parentDoc).map((v) => v.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(transitions.seen.q4).toEqual(['queued', 'running', 'done']);
  });

  it('refuses to spawn beyond the depth limit with a clear error', async () => {
    const { parent, parentDoc, parentId, manager, space } = setup({ maxDepth: 1 });
    await parent.runTurn({ text: 'spawn a nesting helper' });
    await manager.settled(parentId);
    const [nester] = manager.status(parentDoc);
    expect(manager.depthOf(nester!.id)).toBe(1);
    const result = await callTool(manager.tools(parentDoc), 'subagent_result', { id: nester!.id });
    expect(result.ok).toBe(true);
    expect(result.ok && result.output).toMatch(
      /^Could not nest: Error \(SUBAGENT_DEPTH_LIMIT\): This session is a subagent at depth 1, the deepest allowed \(limit 1\): it cannot spawn further subagents/,
    );
    expect(listSessions(space).map((s) => s.label)).not.toContain('too deep');
  });

  it('cancels one running child: it ends cancelled, its result says so, and the parent is told', async () => {
    const { parent, parentDoc, parentId, manager, space, open } = setup();
    await parent.runTurn({ text: 'spawn a slow helper' });
    const [slow] = manager.status(parentDoc);
    const childDoc = open(slow!.id);
    await waitForDoc(childDoc, (d) => listMessages(d).some((m) => m.role === 'assistant' && m.text.length > 0));

    manager.cancel(slow!.id);
    await manager.settled(parentId);
    expect(manager.status(parentDoc)[0]!.status).toBe('cancelled');
    expect(getSessionEntry(space, slow!.id)?.status).toBe('cancelled');
    expect(listMessages(childDoc).find((m) => m.role === 'assistant')?.status).toBe('cancelled');
    expect(await callTool(manager.tools(parentDoc), 'subagent_result', { id: slow!.id })).toMatchObject({
      ok: false,
      error: { code: 'SUBAGENT_CANCELLED', message: 'Subagent "slow" was cancelled; it has no result.' },
    });
    await parent.runTurn({ text: 'any news?' });
    expect(resultMessages(parentDoc).map((m) => m.text.split('\n')[0])).toEqual([
      `[subagent slow cancelled] (id ${slow!.id})`,
    ]);
  });

  it('cancelAll ends running and queued children of a session', async () => {
    const { parent, parentDoc, parentId, manager, stats } = setup({ maxConcurrent: 1 });
    await parent.runTurn({ text: 'spawn four helpers' });
    manager.cancelAll(parentId);
    await manager.settled(parentId);
    const statuses = manager.status(parentDoc).map((v) => v.status);
    // The first may have finished in the moment before the cancel; the queued ones never start.
    expect(statuses.slice(1)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(['cancelled', 'done']).toContain(statuses[0]);
    expect(stats.maxActive).toBe(1);
  });

  it('delivers a result that arrives during a tool round before the next model call of the same turn', async () => {
    let waitForChildren: () => Promise<void> = async () => {};
    const waitTool: ToolExecutor = {
      definitions: () => [
        { name: 'wait_for_helpers', description: 'Wait', parameters: { type: 'object' }, readOnly: true },
      ],
      execute: async () => {
        await waitForChildren();
        return { ok: true, output: 'waited' };
      },
    };
    const { parent, parentDoc, parentId, manager } = setup({}, waitTool);
    waitForChildren = () => manager.settled(parentId);
    const result = await parent.runTurn({ text: 'wait for the helper' });

    expect(result).toMatchObject({ turn: 1, outcome: 'ok' });
    const msgs = listMessages(parentDoc);
    expect(msgs.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'user', 'assistant']);
    expect(msgs[5]!.text).toMatch(/^\[subagent quick done\] \(id ses_\w+\)\nquick answer$/);
    expect(msgs[6]!.text).toMatch(/^Mid-turn news: \[subagent quick done\]/);
  });

  it('another driver adopts the children left queued in the docs, and none runs twice', async () => {
    const { parent, parentDoc, parentId, manager, driver, runs } = setup({ maxConcurrent: 1 });
    await parent.runTurn({ text: 'spawn four helpers' });
    const queued = manager.status(parentDoc).filter((v) => v.status === 'queued');
    expect(queued).toHaveLength(3);

    // A second tab rebuilds the queue from the parent doc alone and runs them; the first one skips them.
    const other = driver({ maxConcurrent: 3 }, 'second');
    other.adopt(parentDoc);
    await Promise.all([manager.settled(parentId), other.settled(parentId)]);

    expect(manager.status(parentDoc).map((v) => v.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(manager.status(parentDoc).map((v) => runs.get(v.id))).toEqual([
      ['first'],
      ['second'],
      ['second'],
      ['second'],
    ]);
  });

  it('a cancel from another tab stops the child where it runs', async () => {
    const { parent, parentDoc, parentId, manager, driver, open } = setup();
    await parent.runTurn({ text: 'spawn a slow helper' });
    const [slow] = manager.status(parentDoc);
    const childDoc = open(slow!.id);
    await waitForDoc(childDoc, (d) => listMessages(d).some((m) => m.role === 'assistant' && m.text.length > 0));

    driver({}, 'second').cancel(slow!.id);
    await manager.settled(parentId);
    expect(manager.status(parentDoc)[0]!.status).toBe('cancelled');
    expect(listMessages(childDoc).find((m) => m.role === 'assistant')?.status).toBe('cancelled');
    expect(listSpans(parentDoc).filter((s) => s.kind === 'subagent')).toHaveLength(1);
  });
  it('another driver resumes a child whose driver died mid-turn, without prompting it again', async () => {
    const { parent, parentDoc, parentId, manager, driver, open, runs } = setup();
    await parent.runTurn({ text: 'spawn a slow helper' });
    const [slow] = manager.status(parentDoc);
    const childDoc = open(slow!.id);
    await waitForDoc(childDoc, (d) => listMessages(d).some((m) => m.role === 'assistant' && m.text.length > 0));
    // The first tab dies: its run stops where it is, and the run state says a driver was mid-turn.
    manager.cancel(slow!.id);
    await manager.settled(parentId);
    setRunState(childDoc, { status: 'interrupted' });
    updateSubagentRecord(parentDoc, slow!.id, { status: 'running', endedAt: undefined });
    const streamed = listMessages(childDoc).find((m) => m.role === 'assistant')!;
    updateMessage(childDoc, streamed.id, { status: 'interrupted' });

    const other = driver({}, 'second');
    other.adopt(parentDoc);
    await other.settled(parentId);

    expect(runs.get(slow!.id)).toEqual(['first', 'second']);
    expect(listMessages(childDoc).filter((m) => m.role === 'user')).toHaveLength(1);
    expect(other.status(parentDoc)[0]!.status).toBe('done');
    expect(getSubagentRecord(parentDoc, slow!.id)?.result).toMatch(/^This child streams very slowly/);
  });

  it('a child another driver holds is left to it: the adopter neither runs nor finishes it', async () => {
    const { parent, parentDoc, parentId, manager, driver, runs } = setup({ maxConcurrent: 1 });
    const held = new Set<string>();
    const seat = createTestSeat('second-tab', (id) => held.has(id));
    await parent.runTurn({ text: 'spawn four helpers' });
    const [first] = manager.status(parentDoc);
    held.add(first!.id);
    const other = driver({ maxConcurrent: 3 }, 'second', seat);
    // Even when told nobody drives the first child, the session's lease keeps the adopter off it.
    other.adopt(parentDoc, () => false);
    await Promise.all([manager.settled(parentId), other.settled(parentId)]);
    expect(runs.get(first!.id)).toEqual(['first', 'second']);
    expect(other.busyWith(parentId)).toBe(false);
    expect(manager.status(parentDoc).map((v) => v.status)).toEqual(['done', 'done', 'done', 'done']);
  });

  it('a chat session asking for a worktree gets a notice and a child without one (only coder children need one)', async () => {
    const { parentDoc, parentId, manager } = setup();
    const spawned = await callTool(manager.tools(parentDoc), 'spawn_subagent', {
      prompt: 'subtask quick',
      label: 'chatty',
      worktree: true,
    });
    expect(spawned.ok && spawned.output).toMatch(
      /No worktree of its own: Only subagents of coder sessions work in a git worktree/,
    );
    await manager.settled(parentId);
    expect(listSubagentRecords(parentDoc)[0]).toMatchObject({ status: 'done', worktree: { state: 'unavailable' } });
  });

  it('writes nothing to a child session before its doc has loaded (a tab keeps only writes made after that)', async () => {
    const { parentDoc, parentId, space, open } = setup();
    // A fake of the tab's doc store: a write before the doc's load would not be stored on the device.
    const loaded = new Set<string>();
    const watched = new Set<string>();
    const earlyWrites: string[] = [];
    const m = createSubagentManager({
      space,
      openSessionDoc: (id) => {
        const doc = open(id);
        if (id !== parentId && !watched.has(id)) {
          watched.add(id);
          doc.on('update', () => void (loaded.has(id) || earlyWrites.push(id)));
        }
        return doc;
      },
      whenSessionDocLoaded: (id) => new Promise((resolve) => setTimeout(() => resolve(void loaded.add(id)), 1)),
      newId: (p) => newId(p),
      clock: realClock,
      runChild: async () => ({ status: 'done', text: 'ok' }),
    });
    const spawned = await callTool(m.tools(parentDoc), 'spawn_subagent', { prompt: 'subtask quick', label: 'loaded' });
    expect(spawned.ok).toBe(true);
    await m.settled(parentId);
    const child = listSubagentRecords(parentDoc)[0]!;
    expect(getSessionMeta(open(child.id))).toMatchObject({ id: child.id, parentId });
    expect(earlyWrites).toEqual([]);
  });
});
