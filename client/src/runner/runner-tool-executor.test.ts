// The browser's tool executor against a fake runner: what runs at once, what waits for the user, and
// what is sent with `approved: true`.
import type { ApprovalRule } from '@boocode/shared/runner/approval-policy';
import { describe, expect, it } from 'vitest';
import { ApprovalQueue } from './approval-queue.ts';
import { RunnerCallError, type RunnerClient } from './runner-client.ts';
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
const ctx = (signal = new AbortController().signal) => ({ signal, spanId: 'spn_1' });
const nextTick = () => new Promise((r) => setTimeout(r, 0));

describe('runner tool executor', () => {
  it('runs read-only tools at once and marks them read-only for resume', async () => {
    const r = fakeRunner();
    const exec = createRunnerToolExecutor(r.client, new ApprovalQueue());
    expect(exec.definitions().find((d) => d.name === 'read_file')?.readOnly).toBe(true);
    expect(exec.definitions().find((d) => d.name === 'write_file')?.readOnly).toBe(false);
    const result = await exec.execute(call('list_files', { path: '.' }), ctx());
    expect(result.ok).toBe(true);
    expect(r.calls).toEqual([{ name: 'list_files', input: { path: '.' }, approved: undefined }]);
  });

  it('holds a write until Approve, then sends it with approved: true', async () => {
    const r = fakeRunner();
    const queue = new ApprovalQueue();
    const running = createRunnerToolExecutor(r.client, queue).execute(
      call('write_file', { path: 'a', content: 'x' }),
      ctx(),
    );
    await nextTick();
    expect(queue.list()).toMatchObject([{ spanId: 'spn_1', tool: 'write_file', canAlwaysAllow: true }]);
    expect(r.calls).toEqual([]);
    queue.answer('spn_1', 'approve');
    expect((await running).ok).toBe(true);
    expect(r.calls).toEqual([{ name: 'write_file', input: { path: 'a', content: 'x' }, approved: true }]);
    expect(queue.list()).toEqual([]);
  });

  it('Deny never calls the runner', async () => {
    const r = fakeRunner();
    const queue = new ApprovalQueue();
    const running = createRunnerToolExecutor(r.client, queue).execute(call('run_command', { command: 'ls' }), ctx());
    await nextTick();
    queue.answer('spn_1', 'deny');
    expect(await running).toMatchObject({ ok: false, error: { code: 'DENIED_BY_USER' } });
    expect(r.calls).toEqual([]);
  });

  it('Always allow appends the suggested rule before running', async () => {
    const r = fakeRunner([{ effect: 'allow', tool: 'edit_file' }]);
    const queue = new ApprovalQueue();
    const args = { command: 'npm', args: ['test'] };
    const running = createRunnerToolExecutor(r.client, queue).execute(call('run_command', args), ctx());
    await nextTick();
    queue.answer('spn_1', 'always');
    expect((await running).ok).toBe(true);
    expect(r.rules()).toEqual([
      { effect: 'allow', tool: 'edit_file' },
      { effect: 'allow', tool: 'run_command', command: 'npm test' },
    ]);
  });

  it('an allow rule runs without asking; a deny rule refuses without asking', async () => {
    const allowed = fakeRunner([{ effect: 'allow', tool: 'write_file' }]);
    const queue = new ApprovalQueue();
    expect((await createRunnerToolExecutor(allowed.client, queue).execute(call('write_file', {}), ctx())).ok).toBe(
      true,
    );
    const denied = fakeRunner([{ effect: 'deny', tool: 'write_file' }]);
    const result = await createRunnerToolExecutor(denied.client, queue).execute(call('write_file', {}), ctx());
    expect(result).toMatchObject({ ok: false, error: { code: 'DENIED_BY_RULE' } });
    expect(denied.calls).toEqual([]);
    expect(queue.list()).toEqual([]);
  });

  it('a write into .git/ asks with the danger even under "always allow write_file", and offers no Always allow', async () => {
    const r = fakeRunner([{ effect: 'allow', tool: 'write_file' }]);
    const queue = new ApprovalQueue();
    const args = { path: '.git/config', content: '[core]\n\tfsmonitor = x\n' };
    const running = createRunnerToolExecutor(r.client, queue).execute(call('write_file', args), ctx());
    await nextTick();
    expect(queue.list()).toMatchObject([{ tool: 'write_file', danger: 'git', canAlwaysAllow: false }]);
    expect(queue.list()[0]?.reason).toMatch(/git can run a program named there/);
    expect(r.calls).toEqual([]);
    queue.answer('spn_1', 'approve');
    expect((await running).ok).toBe(true);
    expect(r.calls).toEqual([{ name: 'write_file', input: args, approved: true }]);
  });

  it('a call the user already approved (Run again after a crash) is not asked about twice', async () => {
    const r = fakeRunner();
    const queue = new ApprovalQueue();
    queue.preApprove('call_write_file');
    const result = await createRunnerToolExecutor(r.client, queue).execute(call('write_file', { path: 'a' }), ctx());
    expect(result.ok).toBe(true);
    expect(r.calls[0]?.approved).toBe(true);
  });

  it('stopping the turn while it waits ends the wait and runs nothing', async () => {
    const r = fakeRunner();
    const queue = new ApprovalQueue();
    const stop = new AbortController();
    const running = createRunnerToolExecutor(r.client, queue).execute(call('write_file', {}), ctx(stop.signal));
    await nextTick();
    stop.abort();
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(r.calls).toEqual([]);
    expect(queue.list()).toEqual([]);
  });

  it('a command streams its output to the live sink while it runs', async () => {
    const r = fakeRunner([{ effect: 'allow', tool: 'run_command', command: 'ls' }]);
    const seen: string[] = [];
    const exec = createRunnerToolExecutor(r.client, new ApprovalQueue(), (spanId, text) =>
      seen.push(`${spanId}:${text}`),
    );
    const result = await exec.execute(call('run_command', { command: 'ls' }), ctx());
    expect(seen).toEqual(['spn_1:partial ']);
    expect(result.ok && JSON.parse(result.output).stdout).toBe('partial done');
  });

  it('runner refusals come back as values with their code', async () => {
    const r = fakeRunner();
    r.client.callTool = async () => {
      throw new RunnerCallError('PATH_OUTSIDE_WORKSPACE', 'That path leaves the workspace.', 403);
    };
    const result = await createRunnerToolExecutor(r.client, new ApprovalQueue()).execute(
      call('read_file', { path: '../x' }),
      ctx(),
    );
    expect(result).toEqual({
      ok: false,
      error: { code: 'PATH_OUTSIDE_WORKSPACE', message: 'That path leaves the workspace.' },
    });
  });

  it('pins every call to the worktree it was given, reads, approved writes and streamed commands alike', async () => {
    const r = fakeRunner([{ effect: 'allow', tool: 'run_command', command: 'ls' }]);
    const queue = new ApprovalQueue();
    const exec = createRunnerToolExecutor(r.client, queue, () => {}, { worktree: 'ses_child1' });
    await exec.execute(call('read_file', { path: 'a' }), ctx());
    await exec.execute(call('run_command', { command: 'ls' }), ctx());
    const writing = exec.execute(call('write_file', { path: 'a', content: 'x' }), ctx());
    await nextTick();
    queue.answer('spn_1', 'approve');
    await writing;
    expect(r.calls.map((c) => [c.name, c.worktree])).toEqual([
      ['read_file', 'ses_child1'],
      ['run_command', 'ses_child1'],
      ['write_file', 'ses_child1'],
    ]);
  });
});
