// The memory limit holds whatever the script allocates. quickjs-emscripten's runtime limit counts
// ~8 bytes per allocation under Emscripten, so 1 MB strings or typed arrays used to grow the wasm
// memory to 2 GB against a 64 MB limit; the bounded wasm memory (quickjs-module.ts) stops them.
import { describe, expect, it } from 'vitest';
import { type BoundedQuickJS, QuickJSModules, wasmMaximumBytes } from '../src/sandbox/quickjs-module.ts';
import { runBody } from './run-helpers.ts';

const MB = 1024 * 1024;
const LIMIT = 32 * MB;

/** A pool that remembers every module it handed out, to look at their memories after the run. */
class WatchedModules extends QuickJSModules {
  readonly handedOut: BoundedQuickJS[] = [];
  override async acquire(limitBytes: number): Promise<BoundedQuickJS> {
    const bounded = await super.acquire(limitBytes);
    this.handedOut.push(bounded);
    return bounded;
  }
}

const BOMBS: Record<string, string> = {
  'strings of 1 MB': `const h = []; for (let i = 0; ; i++) h.push('y'.repeat(1 << 20) + i);`,
  'a string grown by concatenation': `let s = ''; const h = []; for (let i = 0; ; i++) { s += 'abcdefgh'.repeat(4096) + i; if (i % 64 === 0) h.push(s); }`,
  'arrays of numbers': `const h = []; for (;;) h.push(new Array(100000).fill(1.5));`,
  'typed arrays of 1 MB': `const h = []; for (;;) h.push(new Uint8Array(1 << 20));`,
  'small objects': `const h = []; for (;;) h.push({ n: h.length, pad: [1, 2, 3, 4] });`,
  'a Map of strings': `const m = new Map(); for (let i = 0; ; i++) m.set(i, 'value ' + i);`,
};

describe('memory limit', () => {
  for (const [what, body] of Object.entries(BOMBS)) {
    it(`a script allocating ${what} without end stops with MEMORY_LIMIT inside its bound`, async () => {
      const modules = new WatchedModules();
      const rssBefore = process.resourceUsage().maxRSS * 1024;
      const { outcome } = await runBody(body, {
        quickjs: modules,
        limits: { sandbox: { memoryBytes: LIMIT, cpuMs: 60_000 } },
      });
      expect(outcome).toMatchObject({
        status: 'failed',
        error: { code: 'MEMORY_LIMIT', message: 'The script ran out of memory (limit 32 MB) and was stopped.' },
      });
      const [bounded] = modules.handedOut;
      expect(bounded!.memoryBytes()).toBeLessThanOrEqual(wasmMaximumBytes(LIMIT));
      // The host process did not take the 2 GB the unbounded module used to (slack for V8 and the test runner).
      const rssGrowth = process.resourceUsage().maxRSS * 1024 - rssBefore;
      expect(rssGrowth).toBeLessThan(LIMIT + 256 * MB);
    });
  }

  it('a module that ran out of memory is not reused: the next run gets a fresh one and works', async () => {
    const modules = new WatchedModules();
    const limits = { sandbox: { memoryBytes: LIMIT } };
    await runBody(BOMBS['typed arrays of 1 MB']!, { quickjs: modules, limits });
    const { outcome } = await runBody(`return [1, 2, 3].map((n) => n * 2);`, { quickjs: modules, limits });
    expect(outcome.result).toEqual([2, 4, 6]);
    expect(modules.handedOut).toHaveLength(2);
    expect(modules.handedOut[1]).not.toBe(modules.handedOut[0]);
    expect(modules.handedOut[1]!.memoryExhausted()).toBe(false);
  });

  it('a clean run gives its module back for the next run', async () => {
    const modules = new WatchedModules();
    await runBody(`return 1;`, { quickjs: modules });
    await runBody(`return 2;`, { quickjs: modules });
    expect(modules.instantiated).toBe(1);
  });

  it('a script may catch the out-of-memory error and finish once it lets the memory go', async () => {
    const { outcome } = await runBody(
      `let caught = '';
       try { const h = []; for (;;) h.push(new Uint8Array(1 << 20)); } catch (e) { caught = e.message; }
       return { caught, after: 'x'.repeat(10) };`,
      { quickjs: new WatchedModules(), limits: { sandbox: { memoryBytes: LIMIT } } },
    );
    expect(outcome).toMatchObject({ status: 'completed', result: { caught: 'out of memory', after: 'xxxxxxxxxx' } });
  });

  it('an inline workflow shares its parent run’s bound', async () => {
    const modules = new WatchedModules();
    const child = `export const meta = { name: 'hog', description: 'allocates' };\n${BOMBS['strings of 1 MB']}`;
    const { outcome } = await runBody(`return await workflow('hog');`, {
      quickjs: modules,
      resolveWorkflow: () => child,
      limits: { sandbox: { memoryBytes: LIMIT, cpuMs: 60_000 } },
    });
    expect(outcome.error?.message).toContain('ran out of memory (limit 32 MB)');
    expect(modules.handedOut).toHaveLength(1);
    expect(modules.handedOut[0]!.memoryBytes()).toBeLessThanOrEqual(wasmMaximumBytes(LIMIT));
  });
});
