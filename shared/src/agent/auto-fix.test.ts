// The auto-fix loop end to end: the engine against the scripted model over HTTP, with file tools and the build
// check served by a REAL runner on a temp workspace whose `typecheck` script fails while src/a.ts says BROKEN.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSessionDoc, TOOL_DEFS } from '@boocode/testkit/engine-harness';
import type { ScenarioInput } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { createRunner, type Runner } from '../../../sync-server/src/runner/create-runner.ts';
import { listMessages } from '../doc/session.ts';
import { listSnapshots, listSpans } from '../doc/spans.ts';
import { newId } from '../ids.ts';
import { createChatCompletionsClient } from '../model/chat-completions-client.ts';
import type { AbortSignalLike } from '../model/model-client.ts';
import { AgentEngine } from './agent-engine.ts';
import { type AutoFix, autoFixCheckFromRunnerResponse } from './auto-fix.ts';
import { realClock, type ToolExecutor, type ToolResult } from './engine-deps.ts';

const TOKEN = 'autofix-test-token-0123456789abcdef0123456789';
const ERROR_LINE = "src/a.ts(1,1): error TS1005: ';' expected.";
const NOISE = Array.from({ length: 60 }, (_, i) => `checking module ${i} ok`).join('\n');
const CHECK_SCRIPT = `
const fs = require('node:fs');
console.log(${JSON.stringify(NOISE)});
if (fs.readFileSync('src/a.ts', 'utf8').includes('BROKEN')) {
  console.log(${JSON.stringify(ERROR_LINE)});
  process.exit(2);
}
console.log('no errors');
`;

const write = (id: string, content: string) => ({
  toolCalls: [{ id, name: 'write_file', arguments: { path: 'src/a.ts', content } }],
});

// The system prompt tells a fixer (fixes on the first error message) from a stubborn model (never fixes it).
const SCENARIO: ScenarioInput = {
  name: 'auto-fix',
  rules: [
    { match: { lastUser: 'break a.ts', step: 0 }, response: write('call_break', 'BROKEN\n') },
    { match: { lastUser: 'break a.ts', step: 1 }, response: { text: 'Wrote it.' } },
    {
      match: { lastUserContains: 'auto-fix round', systemContains: 'fixer', step: 0 },
      response: write('call_fix', 'export const a = 1;\n'),
    },
    {
      match: { lastUserContains: 'auto-fix round', systemContains: 'stubborn', step: 0 },
      response: write('call_again', 'BROKEN again\n'),
    },
    { match: { lastUserContains: 'auto-fix round', step: 1 }, response: { text: 'Changed it.' } },
    {
      match: { lastUser: 'look at a.ts', step: 0 },
      response: { toolCalls: [{ id: 'call_read', name: 'read_file', arguments: { path: 'src/a.ts' } }] },
    },
    { match: { lastUser: 'look at a.ts', step: 1 }, response: { text: 'It is broken.' } },
  ],
};

let model: ScriptedModel;
let runner: Runner;
let runnerUrl: string;
let base: string;
let workspace: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'boocode-autofix-'));
  workspace = join(base, 'ws');
  await mkdir(join(workspace, 'src'), { recursive: true });
  const scripts = { typecheck: 'node check.cjs' };
  await writeFile(join(workspace, 'package.json'), JSON.stringify({ name: 'ws', private: true, scripts }));
  await writeFile(join(workspace, 'check.cjs'), CHECK_SCRIPT);
  model = await startScriptedModel({ scenarios: [SCENARIO] });
  runner = await createRunner({
    workspace,
    dataDir: join(base, 'data'),
    home: join(base, 'home'),
    port: 0,
    token: TOKEN,
  });
  runnerUrl = (await runner.listen()).url;
});
afterAll(async () => {
  await Promise.all([model.close(), runner.close()]);
  await rm(base, { recursive: true, force: true });
});
beforeEach(async () => {
  model.reset();
  await writeFile(join(workspace, 'src/a.ts'), 'export const a = 0;\n');
});

function nativeSignal(signal: AbortSignalLike): AbortSignal {
  const c = new AbortController();
  if (signal.aborted) c.abort();
  else signal.addEventListener('abort', () => c.abort(), { once: true });
  return c.signal;
}

/** POST to the runner as the user's own tab would (the test stands in for the user who approved). */
async function postRunner(path: string, body: unknown, signal?: AbortSignalLike) {
  const res = await fetch(`${runnerUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ? nativeSignal(signal) : undefined,
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function getRunner(path: string, signal: AbortSignalLike) {
  const res = await fetch(`${runnerUrl}${path}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: nativeSignal(signal),
  });
  return (await res.json()) as unknown;
}

/** File tools served by the runner over HTTP. */
const runnerTools: ToolExecutor = {
  definitions: () => TOOL_DEFS,
  async execute(call, ctx): Promise<ToolResult> {
    const res = await postRunner(`/tools/${call.name}`, { input: call.args, approved: true }, ctx.signal);
    if (res.status === 200) return { ok: true, output: JSON.stringify(res.body) };
    const e = res.body as { code: string; message: string };
    return { ok: false, error: { code: e.code, message: e.message } };
  },
};

/** The auto-fix dependency over the runner's POST /build/run; counts the checks it ran. */
function runnerAutoFix(maxRounds: number, opts: { approved?: boolean; onRun?: () => void } = {}) {
  const counter = { runs: 0 };
  const autoFix: AutoFix = {
    maxRounds,
    async run(signal) {
      counter.runs++;
      opts.onRun?.();
      const res = await postRunner('/build/run', opts.approved === false ? {} : { approved: true }, signal);
      return autoFixCheckFromRunnerResponse(res.status, res.body);
    },
    async available(signal) {
      return ((await getRunner('/build', signal)) as { command: unknown }).command !== null;
    },
  };
  return { autoFix, counter };
}

function engineFor(doc: Y.Doc, autoFix: AutoFix, systemPrompt: string): AgentEngine {
  return new AgentEngine(
    {
      doc,
      model: createChatCompletionsClient({ baseUrl: model.baseUrl, apiKey: 'test-key' }),
      tools: runnerTools,
      autoFix,
      clock: realClock,
      newId,
      driverId: newId('tab'),
    },
    { model: 'scripted-deepseek', systemPrompt },
  );
}

function lastUserOfRequests(): string[] {
  return model
    .requests()
    .filter((r) => r.path === '/v1/chat/completions')
    .map((r) => {
      const msgs = (r.body as { messages: Array<{ role: string; content: unknown }> }).messages;
      const u = [...msgs].reverse().find((m) => m.role === 'user');
      return typeof u?.content === 'string' ? u.content : JSON.stringify(u?.content);
    });
}

const autofixSpans = (doc: Y.Doc) => listSpans(doc).filter((s) => s.kind === 'autofix');

describe('auto-fix: the build check after write turns, against a real runner', () => {
  it('hands a failing build’s trimmed errors to the next turn, and a passing build after the fix ends the loop', async () => {
    const doc = newSessionDoc();
    const { autoFix, counter } = runnerAutoFix(3);
    const result = await engineFor(doc, autoFix, 'You are a fixer.').runTurn({ text: 'break a.ts' });

    expect(result).toEqual({ turn: 2, outcome: 'ok' });
    expect(await readFile(join(workspace, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(counter.runs).toBe(2);
    // The request of the fix-up turn carries the error line, trimmed: the noise of the check is left out.
    const fixRequest = lastUserOfRequests().find((u) => u.includes('auto-fix round 1 of 3'));
    expect(fixRequest).toContain(ERROR_LINE);
    expect(fixRequest).toContain('npm run typecheck');
    expect(fixRequest).not.toContain('checking module 10 ok');

    const spans = autofixSpans(doc);
    expect(spans.map((s) => [s.name, s.turn, s.status])).toEqual([
      ['build', 1, 'error'],
      ['build', 2, 'ok'],
    ]);
    expect(spans[0]).toMatchObject({
      input: { command: 'npm run typecheck', round: 0 },
      output: { ok: false, exitCode: 2 },
      error: { code: 'BUILD_FAILED' },
    });
    expect((spans[0]?.output as { errors?: string } | undefined)?.errors).toContain(ERROR_LINE);
    expect(spans[1]).toMatchObject({ input: { command: 'npm run typecheck', round: 1 }, output: { ok: true } });
    const injected = listMessages(doc).find((m) => m.id === spans[0]?.messageId);
    expect(injected).toMatchObject({ role: 'user', turn: 2 });
    expect(injected?.text).toContain(ERROR_LINE);
    expect(listSnapshots(doc).map((s) => [s.turn, s.outcome])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
    ]);
  });

  it('stops after the round limit with a notice when the build keeps failing', async () => {
    const doc = newSessionDoc();
    const { autoFix, counter } = runnerAutoFix(2);
    const result = await engineFor(doc, autoFix, 'You are stubborn.').runTurn({ text: 'break a.ts' });

    // The user's turn and two fix-up turns, each checked once; the third failure ends it.
    expect(result).toEqual({ turn: 3, outcome: 'ok' });
    expect(counter.runs).toBe(3);
    expect(autofixSpans(doc).map((s) => [s.turn, s.status, (s.input as { round: number }).round])).toEqual([
      [1, 'error', 0],
      [2, 'error', 1],
      [3, 'error', 2],
    ]);
    const users = listMessages(doc).filter((m) => m.role === 'user');
    expect(users.map((m) => m.text.split('\n')[0])).toEqual([
      'break a.ts',
      expect.stringContaining('auto-fix round 1 of 2'),
      expect.stringContaining('auto-fix round 2 of 2'),
    ]);
    const last = listMessages(doc).at(-1);
    expect(last).toMatchObject({ role: 'notice', turn: 3 });
    expect(last?.text).toContain('still fails after 2 auto-fix rounds; stopping');
    expect(last?.text).toContain(ERROR_LINE);
  });

  it('runs no build after a turn that used only read-only tools', async () => {
    await writeFile(join(workspace, 'src/a.ts'), 'BROKEN\n');
    const doc = newSessionDoc();
    const { autoFix, counter } = runnerAutoFix(3);
    const result = await engineFor(doc, autoFix, 'You are a fixer.').runTurn({ text: 'look at a.ts' });

    expect(result).toEqual({ turn: 1, outcome: 'ok' });
    expect(listSpans(doc).map((s) => [s.kind, s.name])).toEqual([
      ['model', 'scripted-deepseek'],
      ['tool', 'read_file'],
      ['model', 'scripted-deepseek'],
    ]);
    expect(counter.runs).toBe(0);
    expect(listMessages(doc).map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });

  it('skips the check with a notice, instead of waiting, when the runner asks for approval', async () => {
    const doc = newSessionDoc();
    const { autoFix, counter } = runnerAutoFix(3, { approved: false });
    const result = await engineFor(doc, autoFix, 'You are a fixer.').runTurn({ text: 'break a.ts' });

    expect(result).toEqual({ turn: 1, outcome: 'ok' });
    expect(counter.runs).toBe(1);
    expect(autofixSpans(doc)).toEqual([
      expect.objectContaining({ status: 'error', error: expect.objectContaining({ code: 'APPROVAL_REQUIRED' }) }),
    ]);
    expect(listMessages(doc).at(-1)).toMatchObject({
      role: 'notice',
      text: expect.stringContaining('Auto-fix skipped'),
    });
  });

  it('stays quiet in a workspace without a build command: no span, no notice', async () => {
    const manifest = join(workspace, 'package.json');
    const saved = await readFile(manifest, 'utf8');
    await writeFile(manifest, JSON.stringify({ name: 'ws', private: true, scripts: { start: 'node .' } }));
    try {
      const doc = newSessionDoc();
      const { autoFix, counter } = runnerAutoFix(3);
      const result = await engineFor(doc, autoFix, 'You are a fixer.').runTurn({ text: 'break a.ts' });

      expect(result).toEqual({ turn: 1, outcome: 'ok' });
      expect(counter.runs).toBe(0);
      expect(autofixSpans(doc)).toEqual([]);
      expect(listMessages(doc).map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    } finally {
      await writeFile(manifest, saved);
    }
  });

  it('cancel during the build stops the loop: the span is cancelled and no fix-up turn starts', async () => {
    const doc = newSessionDoc();
    let engine: AgentEngine | undefined;
    const { autoFix } = runnerAutoFix(3, { onRun: () => engine?.cancel() });
    engine = engineFor(doc, autoFix, 'You are a fixer.');
    const result = await engine.runTurn({ text: 'break a.ts' });

    expect(result).toEqual({ turn: 1, outcome: 'cancelled' });
    expect(autofixSpans(doc).map((s) => s.status)).toEqual(['cancelled']);
    expect(listMessages(doc).filter((m) => m.role === 'user')).toHaveLength(1);
    expect(await readFile(join(workspace, 'src/a.ts'), 'utf8')).toBe('BROKEN\n');
  });
});
