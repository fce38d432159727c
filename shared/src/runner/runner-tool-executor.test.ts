// The browser's tool executor against a fake runner: what runs at once, what waits for the user, and
// what is sent with `approved: true`.

import { describe, expect, it } from 'vitest';
import type { ApprovalRequest, ToolContext } from '../agent/engine-deps.ts';
import type { ApprovalAnswer } from '../doc/session-schema.ts';
import type { ApprovalRule } from './approval-policy.ts';
import { RunnerCallError, type RunnerClient } from './runner-client-contract.ts';
import { createRunnerToolExecutor } from './runner-tool-executor.ts';

function fakeRunner(rules: ApprovalRule[] = []) {
  const calls: { name: string; input: unknown; approved?: boolean; worktree?: string }[] = [];
  const pinned = (opts: { worktree?: string }) => (opts.worktree ? { worktree: opts.worktree } : {});
  const client: RunnerClient = {
    url: 'http://127.0.0.1:1',
    async callTool(name, input, opts) {
      calls.push({ name, input, approved: opts.approved, ...pinned(opts) });
      return { ok: true };
    },
    async streamCommand(input, opts) {
      calls.push({ name: 'run_command', input, approved: opts.approved, ...pinned(opts) });
      opts.onOutput('stdout', 'partial ');
      return {
        exitCode: 0,
        signal: null,
        stdout: 'partial done',
        stderr: '',
        truncated: false,
        droppedBytes: 0,
        timedOut: false,
        cancelled: false,
        durationMs: 1,
        timeoutMs: 30000,
      };
    },
    getRules: async () => [...rules],
    async putRules(next) {
      rules = next;
    },
  };
  return { client, calls, rules: () => rules };
}

const call = (name: string, args: unknown) => ({ id: `call_${name}`, name, args, rawArguments: JSON.stringify(args) });
const nextTick = () => new Promise((r) => setTimeout(r, 0));

/** The engine's side of approvals, faked: questions are collected, the test answers them. */
class Asker {
  asked: ApprovalRequest[] = [];
  private pending: ((a: ApprovalAnswer) => void)[] = [];
  ctx = (signal = new AbortController().signal, approved = false): ToolContext => ({
    signal,
    spanId: 'spn_1',
    approved,
    askApproval: (request) =>
      new Promise((resolve) => {
        this.asked.push(request);
        this.pending.push(resolve);
        signal.addEventListener('abort', () => resolve('deny'), { once: true });
      }),
  });
  answer(a: ApprovalAnswer) {
    for (const r of this.pending.splice(0)) r(a);
  }
}
const ctx = (signal?: AbortSignal) => new Asker().ctx(signal);

describe('runner tool executor', () => {
  it('runs read-only tools at once and marks them read-only for resume', async () => {
    const r = fakeRunner();
    const exec = createRunnerToolExecutor(r.client);
    expect(exec.definitions().find((d) => d.name === 'read_file')?.readOnly).toBe(true);
    expect(exec.definitions().find((d) => d.name === 'write_file')?.readOnly).toBe(false);
    const result = await exec.execute(call('list_files', { path: '.' }), ctx());
    expect(result.ok).toBe(true);
    expect(r.calls).toEqual([{ name: 'list_files', input: { path: '.' }, approved: undefined }]);
  });

  it('holds a write until Approve, then sends it with approved: true', async () => {
    const r = fakeRunner();
    const asker = new Asker();
    const running = createRunnerToolExecutor(r.client).execute(
      call('write_file', { path: 'a', content: 'x' }),
      asker.ctx(),
    );
    await nextTick();
    expect(asker.asked).toMatchObject([{ canAlwaysAllow: true }]);
    expect(r.calls).toEqual([]);
    asker.answer('approve');
    expect((await running).ok).toBe(true);
    expect(r.calls).toEqual([{ name: 'write_file', input: { path: 'a', content: 'x' }, approved: true }]);
  });

  it('Deny never calls the runner', async () => {
    const r = fakeRunner();
    const asker = new Asker();
    const running = createRunnerToolExecutor(r.client).execute(call('run_command', { command: 'ls' }), asker.ctx());
    await nextTick();
    asker.answer('deny');
    expect(await running).toMatchObject({ ok: false, error: { code: 'DENIED_BY_USER' } });
    expect(r.calls).toEqual([]);
  });

  it('Always allow appends the suggested rule before running', async () => {
    const r = fakeRunner([{ effect: 'allow', tool: 'edit_file' }]);
    const asker = new Asker();
    const args = { command: 'npm', args: ['test'] };
    const running = createRunnerToolExecutor(r.client).execute(call('run_command', args), asker.ctx());
    await nextTick();
    asker.answer('always');
    expect((await running).ok).toBe(true);
    expect(r.rules()).toEqual([
      { effect: 'allow', tool: 'edit_file' },
      { effect: 'allow', tool: 'run_command', command: 'npm test' },
    ]);
  });

  it('an allow rule runs without asking; a deny rule refuses without asking', async () => {
    const allowed = fakeRunner([{ effect: 'allow', tool: 'write_file' }]);
    const asker = new Asker();
    expect((await createRunnerToolExecutor(allowed.client).execute(call('write_file', {}), asker.ctx())).ok).toBe(true);
    const denied = fakeRunner([{ effect: 'deny', tool: 'write_file' }]);
    const result = await createRunnerToolExecutor(denied.client).execute(call('write_file', {}), asker.ctx());
    expect(result).toMatchObject({ ok: false, error: { code: 'DENIED_BY_RULE' } });
    expect(denied.calls).toEqual([]);
    expect(asker.asked).toEqual([]);
  });

  it('a write into .git/ asks with the danger even under "always allow write_file", and offers no Always allow', async () => {
    const r = fakeRunner([{ effect: 'allow', tool: 'write_file' }]);
    const asker = new Asker();
    const args = { path: '.git/config', content: '[core]\n\tfsmonitor = x\n' };
    const running = createRunnerToolExecutor(r.client).execute(call('write_file', args), asker.ctx());
    await nextTick();
    expect(asker.asked).toMatchObject([{ danger: 'git', canAlwaysAllow: false }]);
    expect(asker.asked[0]?.reason).toMatch(/git can run a program named there/);
    expect(r.calls).toEqual([]);
    asker.answer('approve');
    expect((await running).ok).toBe(true);
    expect(r.calls).toEqual([{ name: 'write_file', input: args, approved: true }]);
  });

  it('a call the user already approved (Run again after a crash) is not asked about twice', async () => {
    const r = fakeRunner();
    const asker = new Asker();
    const result = await createRunnerToolExecutor(r.client).execute(
      call('write_file', { path: 'a' }),
      asker.ctx(undefined, true),
    );
    expect(result.ok).toBe(true);
    expect(r.calls[0]?.approved).toBe(true);
    expect(asker.asked).toEqual([]);
  });

  it('stopping the turn while it waits ends the wait and runs nothing', async () => {
    const r = fakeRunner();
    const stop = new AbortController();
    const running = createRunnerToolExecutor(r.client).execute(call('write_file', {}), ctx(stop.signal));
    await nextTick();
    stop.abort();
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(r.calls).toEqual([]);
  });

  it('a command streams its output to the live sink while it runs', async () => {
    const r = fakeRunner([{ effect: 'allow', tool: 'run_command', command: 'ls' }]);
    const seen: string[] = [];
    const exec = createRunnerToolExecutor(r.client, (spanId, text) => seen.push(`${spanId}:${text}`));
    const result = await exec.execute(call('run_command', { command: 'ls' }), ctx());
    expect(seen).toEqual(['spn_1:partial ']);
    expect(result.ok && JSON.parse(result.output).stdout).toBe('partial done');
  });

  it('runner refusals come back as values with their code', async () => {
    const r = fakeRunner();
    r.client.callTool = async () => {
      throw new RunnerCallError('PATH_OUTSIDE_WORKSPACE', 'That path leaves the workspace.', 403);
    };
    const result = await createRunnerToolExecutor(r.client).execute(call('read_file', { path: '../x' }), ctx());
    expect(result).toEqual({
      ok: false,
      error: { code: 'PATH_OUTSIDE_WORKSPACE', message: 'That path leaves the workspace.' },
    });
  });

  it('pins every call to the worktree it was given, reads, approved writes and streamed commands alike', async () => {
    const r = fakeRunner([{ effect: 'allow', tool: 'run_command', command: 'ls' }]);
    const asker = new Asker();
    const exec = createRunnerToolExecutor(r.client, () => {}, { worktree: 'ses_child1' });
    await exec.execute(call('read_file', { path: 'a' }), ctx());
    await exec.execute(call('run_command', { command: 'ls' }), ctx());
    const writing = exec.execute(call('write_file', { path: 'a', content: 'x' }), asker.ctx());
    await nextTick();
    asker.answer('approve');
    await writing;
    expect(r.calls.map((c) => [c.name, c.worktree])).toEqual([
      ['read_file', 'ses_child1'],
      ['run_command', 'ses_child1'],
      ['write_file', 'ses_child1'],
    ]);
  });
});
