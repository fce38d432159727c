// Issue 9's test, end to end: a parent (scripted model) spawns two coder subagents in git worktrees; each edits
// the same file differently through the real runner; both diffs are kept apart and the workspace is unchanged
// until a merge; one is merged and the other discarded, through the parent's subagent_merge tool. Also: a
// workspace that is not a git repository gives a notice and the shared workspace.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentEngine } from '@boocode/shared/agent/agent-engine';
import { realClock, type ToolExecutor, type ToolResult } from '@boocode/shared/agent/engine-deps';
import { runChildTurn } from '@boocode/shared/agent/subagents/child-turn';
import { createSubagentManager, type SubagentManager } from '@boocode/shared/agent/subagents/subagent-manager';
import { getSubagentRecord, listSubagentRecords } from '@boocode/shared/agent/subagents/subagent-records';
import type { ChildWorktrees } from '@boocode/shared/agent/subagents/subagent-worktrees';
import { initSessionMeta, listMessages } from '@boocode/shared/doc/session';
import { putSessionEntry } from '@boocode/shared/doc/space';
import { newId } from '@boocode/shared/ids';
import { createChatCompletionsClient } from '@boocode/shared/model/chat-completions-client';
import { runnerTools } from '@boocode/shared/runner/tool-contracts';
import { modelToolDefinitions } from '@boocode/shared/runner/tool-definitions';
import { testToolContext } from '@boocode/testkit/engine-harness';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { git, gitAvailable, initRepo } from './git-repo.ts';
import { fileText, type RunnerFixture, startRunner } from './runner-fixture.ts';

const HAS_GIT = gitAvailable();

let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'subagents') });
});
afterAll(() => model.close());
const fixtures: RunnerFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.close();
});

/** A JSON call to the real runner with the user's token, as the browser's runner client makes it. */
async function runnerCall(f: RunnerFixture, method: string, path: string, body?: unknown) {
  const res = await fetch(`${f.url}${path}`, {
    method,
    headers: {
      authorization: f.headers.authorization,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { code?: string; message?: string };
  if (!res.ok) throw Object.assign(new Error(json.message), { code: json.code });
  // biome-ignore lint/suspicious/noExplicitAny: the schemas are checked by the runner and the client tests.
  return json as any;
}

function runnerWorktrees(f: RunnerFixture): ChildWorktrees {
  return {
    create: (id) => runnerCall(f, 'POST', '/worktrees', { id }),
    diff: (id) => runnerCall(f, 'GET', `/worktrees/${id}/diff`),
    merge: (id) => runnerCall(f, 'POST', `/worktrees/${id}/merge`, {}),
    discard: (id) => runnerCall(f, 'DELETE', `/worktrees/${id}`, {}),
  };
}

/** The runner's tools for a child, pinned to its worktree when it has one (approved: the test is the user). */
function pinnedRunnerTools(f: RunnerFixture, worktree: string | undefined): ToolExecutor {
  const defs = modelToolDefinitions().map((d) => ({
    name: d.function.name,
    description: d.function.description,
    parameters: d.function.parameters,
    readOnly: runnerTools[d.function.name].access === 'read',
  }));
  return {
    definitions: () => defs,
    async execute(call): Promise<ToolResult> {
      try {
        const body = { input: call.args, approved: true, ...(worktree ? { worktree } : {}) };
        return { ok: true, output: JSON.stringify(await runnerCall(f, 'POST', `/tools/${call.name}`, body)) };
      } catch (e) {
        return { ok: false, error: { code: (e as { code: string }).code, message: (e as Error).message } };
      }
    },
  };
}

function setup(f: RunnerFixture) {
  const space = new Y.Doc();
  const docs = new Map<string, Y.Doc>();
  const open = (id: string) => docs.get(id) ?? docs.set(id, new Y.Doc()).get(id)!;
  const now = Date.now();
  const parentId = newId('ses');
  const parentDoc = open(parentId);
  initSessionMeta(parentDoc, { id: parentId, title: 'lead', kind: 'coder', createdAt: now });
  putSessionEntry(space, {
    id: parentId,
    title: 'lead',
    kind: 'coder',
    status: 'idle',
    createdAt: now,
    updatedAt: now,
  });
  const client = createChatCompletionsClient({ baseUrl: model.baseUrl, apiKey: 'test-key' });
  const pinnedTo: Record<string, string | undefined> = {};
  const engineFor = (m: SubagentManager, doc: Y.Doc, base?: ToolExecutor) =>
    new AgentEngine(
      { doc, model: client, tools: m.tools(doc, base), clock: realClock, newId, driverId: newId('tab') },
      { model: 'scripted-deepseek' },
      { atTurnBoundary: (d, turn) => m.deliverResults(d, turn) },
    );
  const manager: SubagentManager = createSubagentManager({
    space,
    openSessionDoc: open,
    newId,
    clock: realClock,
    worktrees: runnerWorktrees(f),
    // What the browser's runChild does: the child's runner tools pinned to opts.worktree.
    runChild: (childDoc, prompt, opts, signal) => {
      pinnedTo[opts.label] = opts.worktree;
      return runChildTurn(engineFor(manager, childDoc, pinnedRunnerTools(f, opts.worktree)), childDoc, prompt, signal);
    },
  });
  const parent = engineFor(manager, parentDoc, pinnedRunnerTools(f, undefined));
  const tool = (name: string, args: Record<string, unknown>) =>
    manager
      .tools(parentDoc)
      .execute({ id: `call_${name}`, name, args, rawArguments: JSON.stringify(args) }, testToolContext());
  return { parentId, parentDoc, parent, manager, tool, pinnedTo };
}

const toolMessages = (doc: Y.Doc) =>
  listMessages(doc)
    .filter((m) => m.role === 'tool')
    .map((m) => m.text);

describe.skipIf(!HAS_GIT)('coder subagents in git worktrees', () => {
  it('two coders edit the same file differently; both diffs stay apart; one is merged, the other discarded', async () => {
    const f = await startRunner();
    fixtures.push(f);
    const head = await initRepo(f.workspace, { 'greeting.txt': 'hello world\n', 'other.txt': 'untouched\n' });
    const { parentId, parentDoc, parent, manager, tool, pinnedTo } = setup(f);

    expect(await parent.runTurn({ text: 'spawn two coders in worktrees' })).toMatchObject({ outcome: 'ok' });
    expect(toolMessages(parentDoc)).toEqual([
      expect.stringMatching(
        /^Started subagent "coder one" .* It works in its own git worktree on branch boocode\/ses_/,
      ),
      expect.stringMatching(
        /^Started subagent "coder two" .* It works in its own git worktree on branch boocode\/ses_/,
      ),
    ]);
    await manager.settled(parentId);
    const [one, two] = listSubagentRecords(parentDoc);
    expect([one!.status, two!.status]).toEqual(['done', 'done']);
    expect(pinnedTo).toEqual({ 'coder one': one!.id, 'coder two': two!.id });

    // Kept apart: each diff has only its own change, and the workspace is as it was.
    const diffOne = await manager.worktreeDiff(one!.id);
    const diffTwo = await manager.worktreeDiff(two!.id);
    expect(diffOne).toMatchObject({ baseCommit: head, stat: { files: 1, added: 1, removed: 1 } });
    expect(diffOne.diff).toContain('-hello world\n+hello from one\n');
    expect(diffOne.diff).not.toContain('from two');
    expect(diffTwo.diff).toContain('-hello world\n+hello from two\n');
    expect(diffTwo.diff).not.toContain('from one');
    expect(await fileText(join(f.workspace, 'greeting.txt'))).toBe('hello world\n');
    expect(git(f.workspace, 'status', '--porcelain')).toBe('');
    for (const r of [one!, two!])
      expect(getSubagentRecord(parentDoc, r.id)?.worktree).toMatchObject({
        state: 'active',
        branch: `boocode/${r.id}`,
        baseCommit: head,
        diffStat: { files: 1, added: 1, removed: 1 },
        files: [{ path: 'greeting.txt', status: 'modified', added: 1, removed: 1, binary: false }],
      });

    // The parent reads where each child's changes are and how to bring them in.
    await parent.runTurn({ text: 'any news?' });
    const results = listMessages(parentDoc).filter((m) => m.text.startsWith('[subagent coder'));
    expect(results.map((m) => m.text.split('\n').at(-1))).toEqual([
      expect.stringMatching(
        /^Its changes are in its own worktree on branch boocode\/ses_\S+ \(1 file, \+1 -1: greeting.txt\); merge them/,
      ),
      expect.stringMatching(
        /^Its changes are in its own worktree on branch boocode\/ses_\S+ \(1 file, \+1 -1: greeting.txt\); merge them/,
      ),
    ]);

    const merged = await tool('subagent_merge', { id: one!.id, action: 'merge' });
    expect(merged).toMatchObject({ ok: true });
    expect(merged.ok && merged.output).toMatch(
      /^Merged the changes of subagent "coder one" into the workspace as uncommitted changes: greeting.txt \(\+1 -1\)/,
    );
    expect(await fileText(join(f.workspace, 'greeting.txt'))).toBe('hello from one\n');
    expect(git(f.workspace, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(f.workspace, 'branch', '--list', `boocode/${one!.id}`)).toBe('');
    expect(git(f.workspace, 'worktree', 'list')).not.toContain(one!.id);

    // The other edited the same line: merging it now conflicts and changes nothing; it can still be discarded.
    const conflict = await tool('subagent_merge', { id: two!.id, action: 'merge' });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'MERGE_CONFLICT' } });
    expect(conflict.ok || conflict.error.message).toMatch(/greeting\.txt \(both changed the same lines\)/);
    expect(await fileText(join(f.workspace, 'greeting.txt'))).toBe('hello from one\n');
    expect(getSubagentRecord(parentDoc, two!.id)?.worktree?.state).toBe('active');

    const discarded = await tool('subagent_merge', { id: two!.id, action: 'discard' });
    expect(discarded).toMatchObject({ ok: true });
    expect(await fileText(join(f.workspace, 'greeting.txt'))).toBe('hello from one\n');
    expect(await fileText(join(f.workspace, 'other.txt'))).toBe('untouched\n');
    expect(git(f.workspace, 'branch', '--list', 'boocode/*')).toBe('');
    expect(git(f.workspace, 'worktree', 'list').split('\n')).toHaveLength(1);
    expect(git(f.workspace, 'status', '--porcelain')).toBe('M greeting.txt');

    expect(listSubagentRecords(parentDoc).map((r) => r.worktree?.state)).toEqual(['merged', 'discarded']);
    expect(await tool('subagent_merge', { id: one!.id, action: 'discard' })).toMatchObject({
      ok: false,
      error: { code: 'WORKTREE_ALREADY_CLOSED' },
    });
  });

  it('refuses to merge a worktree whose child has not finished, then discards it once cancelled', async () => {
    const f = await startRunner();
    fixtures.push(f);
    await initRepo(f.workspace, { 'greeting.txt': 'hello world\n' });
    const { parentId, parentDoc, manager, tool } = setup(f);
    const spawned = await tool('spawn_subagent', { prompt: 'subtask slow', label: 'slow', worktree: true });
    expect(spawned.ok).toBe(true);
    const [slow] = listSubagentRecords(parentDoc);
    expect(await tool('subagent_merge', { id: slow!.id, action: 'merge' })).toMatchObject({
      ok: false,
      error: { code: 'SUBAGENT_STILL_RUNNING' },
    });
    manager.cancel(slow!.id);
    await manager.settled(parentId);
    expect(getSubagentRecord(parentDoc, slow!.id)?.worktree).toMatchObject({ state: 'active', diffStat: { files: 0 } });
    expect(await tool('subagent_merge', { id: slow!.id, action: 'discard' })).toMatchObject({ ok: true });
    expect(git(f.workspace, 'branch', '--list', 'boocode/*')).toBe('');
  });

  it('in a workspace that is not a git repository, the coder gets a notice and the shared workspace', async () => {
    const base = await startRunner();
    fixtures.push(base);
    const plain = join(base.base, 'plain');
    await mkdir(plain);
    const f = await startRunner({ workspace: plain });
    fixtures.push(f);
    const { parentId, parentDoc, parent, manager, tool, pinnedTo } = setup(f);

    await parent.runTurn({ text: 'spawn a coder in a worktree' });
    expect(toolMessages(parentDoc)[0]).toMatch(
      /^Started subagent "solo coder" .* No worktree of its own: The workspace is not a git repository, so a subagent cannot get a worktree of its own; it works in the shared workspace\./,
    );
    await manager.settled(parentId);
    const [solo] = listSubagentRecords(parentDoc);
    expect(pinnedTo).toEqual({ 'solo coder': undefined });
    expect(solo!.worktree).toMatchObject({
      state: 'unavailable',
      notice: expect.stringMatching(/not a git repository/),
    });
    expect(await fileText(join(plain, 'note.txt'))).toBe('written by the solo coder\n');
    expect(await tool('subagent_merge', { id: solo!.id, action: 'merge' })).toMatchObject({
      ok: false,
      error: { code: 'SUBAGENT_NO_WORKTREE' },
    });
  });
});
