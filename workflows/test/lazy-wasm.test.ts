// The QuickJS wasm loads lazily: checking scripts never loads it, the first run does, once.
import { describe, expect, it, vi } from 'vitest';

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('quickjs-emscripten-core', async (importOriginal) => {
  const actual = await importOriginal<typeof import('quickjs-emscripten-core')>();
  return {
    ...actual,
    newQuickJSWASMModuleFromVariant: (...args: Parameters<typeof actual.newQuickJSWASMModuleFromVariant>) => {
      loads.count++;
      return actual.newQuickJSWASMModuleFromVariant(...args);
    },
  };
});

const { createWorkflowWorkerApi } = await import('../src/worker/workflow-worker-api.ts');
const { MemoryRunStore } = await import('../src/engine/run-store.ts');
const { META } = await import('./run-helpers.ts');

describe('lazy wasm', () => {
  it('the QuickJS wasm loads only when a workflow runs, and only once', async () => {
    const api = createWorkflowWorkerApi();
    expect(api.inspect(`${META}return 1;`)).toMatchObject({ ok: true });
    expect(loads.count).toBe(0);
    const agents = { run: async () => ({ text: 'x', usage: { tokens: 1 } }), abort: () => {} };
    const first = await api.run({ runId: 'wfr_a', source: `${META}return 1;` }, agents, new MemoryRunStore(), () => {});
    const second = await api.run(
      { runId: 'wfr_b', source: `${META}return 2;` },
      agents,
      new MemoryRunStore(),
      () => {},
    );
    expect([first.result, second.result]).toEqual([1, 2]);
    expect(loads.count).toBe(1);
  });
});
