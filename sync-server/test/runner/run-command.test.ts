// run_command through the runner: no shell unless asked, the whole process tree dies on
// timeout and on cancel, output is capped with the dropped size reported, exit codes and
// stderr arrive, and SSE delivers output while the command is still running.
import { join } from 'node:path';
import type { CommandEvent } from '@boocode/shared/runner/tool-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { APP_ORIGIN, fileText, isAlive, type RunnerFixture, startRunner, TOKEN, waitFor } from './runner-fixture.ts';

let f: RunnerFixture;
beforeAll(async () => {
  f = await startRunner();
});
afterAll(() => f.close());

const run = (input: Record<string, unknown>) => f.post('/tools/run_command', { input, approved: true });

/** Opens an SSE run_command stream with fetch, as the client does, and parses its frames. */
async function openStream(input: Record<string, unknown>, commandId: string, signal?: AbortSignal) {
  const response = await fetch(`${f.url}/tools/run_command`, {
    method: 'POST',
    headers: { ...f.headers, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ input, approved: true, commandId }),
    signal,
  });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: CommandEvent[] = [];
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let at = buffer.indexOf('\n\n'); at !== -1; at = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)));
      }
    }
  })();
  return { events, pump };
}

function startedPid(events: CommandEvent[]): number {
  for (const event of events) if (event.type === 'command-start' && event.pid) return event.pid;
  throw new Error('no command-start event');
}

describe('run_command', () => {
  it('runs without a shell unless asked: $(...) stays literal', async () => {
    const res = await run({ command: 'echo', args: ['$(touch pwned)', '`id`'] });
    expect(res.status).toBe(200);
    expect(res.json().stdout).toBe('$(touch pwned) `id`\n');
    expect(await fileText(join(f.workspace, 'pwned'))).toBeUndefined();
  });

  it('reports exit codes and stderr', async () => {
    const res = await run({ command: 'node', args: ['-e', "console.error('went wrong'); process.exit(3)"] });
    const result = res.json();
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('went wrong\n');
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('reports a program that cannot start as a clear error', async () => {
    const res = await run({ command: 'no-such-program-boocode' });
    expect(res.status).toBe(422);
    expect(res.json().code).toBe('COMMAND_FAILED_TO_START');
  });

  it('caps output at 32 KB and reports the dropped bytes', async () => {
    const res = await run({ command: 'node', args: ['-e', "process.stdout.write('x'.repeat(100000))"] });
    const result = res.json();
    expect(result.stdout.length).toBe(32 * 1024);
    expect(result.truncated).toBe(true);
    expect(result.droppedBytes).toBe(100000 - 32 * 1024);
  });

  it('kills the whole process tree on timeout, grandchildren included', async () => {
    const started = Date.now();
    const res = await run({ command: 'sleep 100 & echo $!; wait', shell: true, timeoutMs: 500 });
    const result = res.json();
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await waitFor(async () => !(await isAlive(grandchild)), 3000, `grandchild ${grandchild} to die`);
  });

  it('kills a node grandchild spawned without a shell on timeout', async () => {
    const script =
      "const c = require('child_process').spawn('sleep', ['100'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000)";
    const result = (await run({ command: 'node', args: ['-e', script], timeoutMs: 800 })).json();
    expect(result.timedOut).toBe(true);
    const grandchild = Number(result.stdout.trim());
    await waitFor(async () => !(await isAlive(grandchild)), 3000, `grandchild ${grandchild} to die`);
  });

  it('clamps a per-call timeout to the runner maximum', async () => {
    const short = await startRunner({ commandLimits: { maxTimeoutMs: 300 } });
    try {
      const res = await short.post('/tools/run_command', {
        input: { command: 'sleep', args: ['30'], timeoutMs: 60_000 },
        approved: true,
      });
      expect(res.json().timeoutMs).toBe(300);
      expect(res.json().timedOut).toBe(true);
    } finally {
      await short.close();
    }
  });

  it('streams output over SSE before the command ends, and an explicit cancel kills it', async () => {
    const commandId = 'cmd_stream_test';
    const script = "console.log('first'); setInterval(() => {}, 1000)";
    const { events, pump } = await openStream({ command: 'node', args: ['-e', script], timeoutMs: 20_000 }, commandId);
    await waitFor(
      () => events.some((e) => e.type === 'command-delta' && e.text.includes('first')),
      5000,
      'first output',
    );
    expect(events.some((e) => e.type === 'command-end')).toBe(false);
    const pid = startedPid(events);
    expect(await isAlive(pid)).toBe(true);

    const cancel = await f.post(`/commands/${commandId}/cancel`, {});
    expect(cancel.status).toBe(200);
    await pump;
    const end = events.find((e): e is Extract<CommandEvent, { type: 'command-end' }> => e.type === 'command-end');
    expect(end?.result.cancelled).toBe(true);
    await waitFor(async () => !(await isAlive(pid)), 3000, 'cancelled command to die');
  });

  it('kills the command when the streaming client disconnects', async () => {
    const controller = new AbortController();
    const script = "console.log('ready'); setInterval(() => {}, 1000)";
    const { events } = await openStream(
      { command: 'node', args: ['-e', script], timeoutMs: 20_000 },
      'cmd_disconnect_test',
      controller.signal,
    );
    await waitFor(() => events.some((e) => e.type === 'command-delta'), 5000, 'output');
    const pid = startedPid(events);
    controller.abort();
    await waitFor(async () => !(await isAlive(pid)), 5000, 'disconnected command to die');
  });
});

describe('the command launcher', () => {
  it('is the parent of every command, and is started again when something killed it', async () => {
    const launcher = await f.runner.launcherPid();
    const before = (await run({ command: 'echo $PPID', shell: true })).json();
    expect(Number(before.stdout.trim())).toBe(launcher);
    process.kill(launcher, 'SIGKILL');
    await waitFor(async () => !(await isAlive(launcher)), 5000, 'the launcher to die');
    const after = (await run({ command: 'echo $PPID', shell: true })).json();
    expect(after.exitCode).toBe(0);
    expect(Number(after.stdout.trim())).toBe(await f.runner.launcherPid());
    expect(Number(after.stdout.trim())).not.toBe(launcher);
  });
});

describe('run_command over WebSocket', () => {
  it('streams the same events to a socket that passed the wall with the token subprotocol', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${f.port}/ws/run_command`, [`boocode-token.${TOKEN}`], {
      origin: APP_ORIGIN,
    });
    const events: CommandEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () =>
        socket.send(
          JSON.stringify({ input: { command: 'node', args: ['-e', "console.log('over ws')"] }, approved: true }),
        ),
      );
      socket.on('message', (data) => events.push(JSON.parse(data.toString())));
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(events.map((e) => e.type)).toEqual(['command-start', 'command-delta', 'command-end']);
    expect(events.at(-1)).toMatchObject({ type: 'command-end', result: { exitCode: 0, stdout: 'over ws\n' } });
  });

  it('refuses an unapproved command on the socket as a command-error', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${f.port}/ws/run_command?token=${TOKEN}`, { origin: APP_ORIGIN });
    const events: CommandEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => socket.send(JSON.stringify({ input: { command: 'touch', args: ['ws-pwned'] } })));
      socket.on('message', (data) => events.push(JSON.parse(data.toString())));
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(events).toMatchObject([{ type: 'command-error', error: { code: 'APPROVAL_REQUIRED' } }]);
    expect(await fileText(join(f.workspace, 'ws-pwned'))).toBeUndefined();
  });
});
