// One hook, one event, with a fake runner and a fake fetch: what the runner's refusals, a command's end and a
// POST's answer become in words, and what is never run or sent.
import { RunnerCallError } from '@boocode/shared/runner/runner-client-contract';
import type { RunCommandResult } from '@boocode/shared/runner/tool-contracts';
import { describe, expect, it } from 'vitest';
import { type HookPayload, isLoopbackUrl, runHook } from '../../src/host/hook-runner.ts';

const payload: HookPayload = {
  event: 'turn.done',
  id: 'turn.done:ses_1:2',
  sessionId: 'ses_1',
  at: 1,
  workspace: 'ws',
  data: { turn: 2 },
};

const result = (patch: Partial<RunCommandResult>): RunCommandResult => ({
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  truncated: false,
  droppedBytes: 0,
  timedOut: false,
  cancelled: false,
  durationMs: 5,
  timeoutMs: 10_000,
  ...patch,
});

function fakeRunner(answer: () => Promise<unknown>) {
  const calls: Array<{ input: unknown; approved: unknown }> = [];
  return {
    calls,
    runner: {
      callTool: async (_name: string, input: unknown, opts: { approved?: boolean }) => {
        calls.push({ input, approved: opts.approved });
        return answer();
      },
    },
  };
}

describe('runHook', () => {
  it('runs a command through the runner unapproved, with the ids filled in and its time limit', async () => {
    const { runner, calls } = fakeRunner(async () => result({}));
    const out = await runHook({ on: 'turn.done', run: 'say {event} {id} {session}', timeoutMs: 700 }, payload, {
      runner,
      scope: 'workspace',
    });
    expect(out).toEqual({ ok: true, detail: 'exit code 0' });
    expect(calls).toEqual([
      {
        input: { command: 'say turn.done turn.done:ses_1:2 ses_1', shell: true, timeoutMs: 700 },
        approved: undefined,
      },
    ]);
  });

  it('says what the runner refused or how the command ended', async () => {
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [async () => result({ exitCode: 3, stderr: 'boom\nlast line' }), /^exit code 3: last line$/],
      [async () => result({ exitCode: null, timedOut: true }), /^timed out after 10000 ms$/],
      [
        async () => {
          throw new RunnerCallError('DENIED_BY_RULE', 'run_command was not run: rm *.', 403);
        },
        /^denied by the runner's rules/,
      ],
      [
        async () => {
          throw new RunnerCallError('APPROVAL_REQUIRED', 'run_command was not run: it runs a program.', 403);
        },
        /^needs an allow rule/,
      ],
    ];
    for (const [answer, detail] of cases) {
      const out = await runHook({ on: 'turn.done', run: 'x' }, payload, {
        runner: fakeRunner(answer).runner,
        scope: 'personal',
      });
      expect(out.ok).toBe(false);
      expect(out.detail).toMatch(detail);
    }
  });

  it('never fills a command line with an id that is not a plain word', async () => {
    const { runner, calls } = fakeRunner(async () => result({}));
    const out = await runHook(
      { on: 'turn.done', run: 'say {session}' },
      { ...payload, sessionId: 'x; rm -rf ~' },
      {
        runner,
        scope: 'personal',
      },
    );
    expect(out.ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it('POSTs the event as JSON; a workspace file only to this machine', async () => {
    const sent: Array<{ url: string; body: unknown }> = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      sent.push({ url, body: JSON.parse(String(init.body)) });
      return new Response(null, { status: 202 });
    }) as unknown as typeof fetch;
    const runner = fakeRunner(async () => result({})).runner;
    const local = await runHook({ on: 'turn.done', post: 'http://127.0.0.1:9/h' }, payload, {
      runner,
      scope: 'workspace',
      fetch: fakeFetch,
    });
    expect(local).toEqual({ ok: true, detail: 'HTTP 202' });
    const remote = await runHook({ on: 'turn.done', post: 'https://hooks.example.com/h' }, payload, {
      runner,
      scope: 'workspace',
      fetch: fakeFetch,
    });
    expect(remote.ok).toBe(false);
    expect(remote.detail).toMatch(/^not sent: a workspace hooks file may only POST to this machine/);
    const personal = await runHook({ on: 'turn.done', post: 'https://hooks.example.com/h' }, payload, {
      runner,
      scope: 'personal',
      fetch: fakeFetch,
    });
    expect(personal.ok).toBe(true);
    expect(sent.map((s) => s.url)).toEqual(['http://127.0.0.1:9/h', 'https://hooks.example.com/h']);
    expect(sent[0]?.body).toEqual(payload);
  });

  it('says a POST that does not answer in time timed out, and one cut by the host stopping was cut off', async () => {
    const never = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      )) as unknown as typeof fetch;
    const runner = fakeRunner(async () => result({})).runner;
    const hook = { on: 'turn.done' as const, post: 'http://localhost:9/h', timeoutMs: 20 };
    expect(await runHook(hook, payload, { runner, scope: 'workspace', fetch: never })).toEqual({
      ok: false,
      detail: 'timed out after 20 ms',
    });
    const stop = new AbortController();
    const pending = runHook({ ...hook, timeoutMs: 60_000 }, payload, {
      runner,
      scope: 'workspace',
      fetch: never,
      stop: stop.signal,
    });
    stop.abort();
    expect(await pending).toEqual({ ok: false, detail: 'cut off: the host stopped' });
  });

  it('knows loopback URLs', () => {
    expect(
      ['http://127.0.0.1:1/', 'http://localhost/', 'http://[::1]:8/', 'http://127.9.9.9/'].map(isLoopbackUrl),
    ).toEqual([true, true, true, true]);
    expect(['http://127.0.0.1.evil.com/', 'http://10.0.0.1/', 'http://localhost.evil/'].map(isLoopbackUrl)).toEqual([
      false,
      false,
      false,
    ]);
  });
});
