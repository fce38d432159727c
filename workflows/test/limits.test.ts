import { describe, expect, it, vi } from 'vitest';
import { runBody, startBody } from './run-helpers.ts';
import { deferred, scriptedAgent } from './scripted-agent.ts';

describe('agent cap', () => {
  it('runs at most maxConcurrentAgents agents at once', async () => {
    const agent = scriptedAgent(undefined, { gate: 3 });
    const { outcome } = await runBody(
      `return (await parallel(Array.from({ length: 12 }, (_, i) => () => agent('a' + i)))).length;`,
      {
        runAgent: agent.runAgent,
        limits: { maxConcurrentAgents: 3 },
      },
    );
    expect(outcome.result).toBe(12);
    expect(agent.maxInFlight).toBe(3);
  });

  it('defaults to 4 agents at once', async () => {
    const agent = scriptedAgent(undefined, { gate: 4 });
    await runBody(`await parallel(Array.from({ length: 10 }, (_, i) => () => agent('a' + i)));`, {
      runAgent: agent.runAgent,
    });
    expect(agent.maxInFlight).toBe(4);
  });
});

describe('1000-agent limit', () => {
  it('the 1001st agent() call of a run throws', async () => {
    const agent = scriptedAgent(() => 'ok', { tokens: 0 });
    const { outcome } = await runBody(
      `let n = 0;
       try { for (; n < 1001; n++) await agent('task ' + n); } catch (e) { return { n, message: e.message }; }
       return { n };`,
      { runAgent: agent.runAgent },
    );
    expect(outcome.result).toEqual({ n: 1000, message: 'agent(): a run may start at most 1000 agents' });
    expect(agent.prompts).toHaveLength(1000);
  });
});

describe('sandbox limits', () => {
  it('an infinite loop ends the run with a CPU limit error', async () => {
    const started = performance.now();
    const { outcome } = await runBody(`await agent('first'); while (true) {}`, { limits: { sandbox: { cpuMs: 300 } } });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CPU_LIMIT' } });
    expect(outcome.error?.message).toBe('The script used more than 300 ms of CPU (an endless loop?) and was stopped.');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('an infinite loop inside a parallel thunk is not turned into null', async () => {
    const { outcome } = await runBody(`return await parallel([() => { for (;;) {} }, () => 1]);`, {
      limits: { sandbox: { cpuMs: 200 } },
    });
    expect(outcome.error?.code).toBe('CPU_LIMIT');
  });

  it('the same QuickJS module keeps working after a run hit its CPU limit', async () => {
    await runBody(`for (;;) {}`, { limits: { sandbox: { cpuMs: 50 } } });
    const { outcome } = await runBody(`return [1, 2].map((n) => n * 2);`);
    expect(outcome.result).toEqual([2, 4]);
  });

  it('a memory bomb ends the run with a memory limit error', async () => {
    const { outcome } = await runBody(
      `const hoard = []; for (;;) hoard.push({ n: hoard.length, pad: [1, 2, 3, 4] });`,
      {
        limits: { sandbox: { memoryBytes: 16 * 1024 * 1024, cpuMs: 20_000 } },
      },
    );
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'MEMORY_LIMIT' } });
    expect(outcome.error?.message).toBe('The script ran out of memory (limit 16 MB) and was stopped.');
  });

  it('a script stuck awaiting a never-resolving host promise hits the wall-clock limit', async () => {
    const never = deferred<string>();
    const agent = scriptedAgent(() => never.promise);
    const { outcome, store } = await runBody(`return await agent('hang');`, {
      runAgent: agent.runAgent,
      limits: { wallClockMs: 300 },
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'WALL_CLOCK_LIMIT' } });
    expect(outcome.error?.message).toBe('The run took longer than 300 ms (the wall-clock limit) and was stopped.');
    expect(store.state.agents[0]?.status).toBe('stopped');
  });

  it('deep recursion is a script error, not a crash of the host', async () => {
    const { outcome } = await runBody(`function f() { return f() + 1; } return f();`);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'SCRIPT_ERROR' } });
    expect(outcome.error?.message).toContain('stack overflow');
  });

  it('the script has no host access: no fetch, process, require or globalThis escape', async () => {
    const { outcome } = await runBody(
      `return [typeof fetch, typeof process, typeof require, typeof setTimeout, typeof XMLHttpRequest, typeof __host];`,
    );
    expect(outcome.result).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
  });
});

describe('sandbox teardown', () => {
  it('frees every QuickJS runtime cleanly however the run ends', async () => {
    const errors = vi.spyOn(console, 'error');
    try {
      const never = scriptedAgent(() => new Promise<string>(() => {}));
      await runBody(`return { ok: [1, 'two'] };`);
      await runBody(`throw new Error('plain failure');`);
      await runBody(`await agent('x'); for (;;) {}`, { limits: { sandbox: { cpuMs: 50 } } });
      await runBody(`const h = []; for (;;) h.push([h.length]);`, {
        limits: { sandbox: { memoryBytes: 8 * 1024 * 1024 } },
      });
      await runBody(`return await agent('hang');`, { runAgent: never.runAgent, limits: { wallClockMs: 50 } });
      const { run } = await startBody(`await parallel([() => agent('a'), () => agent('b')]);`, {
        runAgent: never.runAgent,
      });
      run.stop();
      await run.outcome;
      expect(errors.mock.calls.filter((call) => String(call[0]).includes('did not free cleanly'))).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });
});
