// Browser smoke: runs workflows through the real Web Worker + Comlink + lazily loaded wasm path.
// Driven by run.mjs (build with Vite, serve, open in Chromium); the result lands on window.result.
import { MemoryRunStore } from '../src/engine/run-store.ts';
import { runWorkflowInWorker } from '../src/worker/worker-client.ts';

const source = `export const meta = { name: 'browser', description: 'smoke' };
phase('go');
const r = await parallel([() => agent('a'), () => agent('b', { schema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } })]);
let loop = 'no';
try { Date.now(); } catch (e) { loop = e.message.slice(0, 10); }
return { r, loop, spent: budget.spent() };`;

async function main() {
  const t0 = performance.now();
  const store = new MemoryRunStore();
  const events: string[] = [];
  const handle = runWorkflowInWorker(
    () => new Worker(new URL('../src/worker.ts', import.meta.url), { type: 'module' }),
    {
      request: { runId: 'wfr_browser', source, args: {} },
      agents: {
        run: async (spec) => ({ text: spec.options.schema ? '{"n": 5}' : `hi ${spec.prompt}`, usage: { tokens: 7 } }),
        abort: () => {},
      },
      store,
      onEvent: (e) => events.push(e.type),
    },
  );
  const outcome = await handle.outcome;
  const loopRun = runWorkflowInWorker(
    () => new Worker(new URL('../src/worker.ts', import.meta.url), { type: 'module' }),
    {
      request: {
        runId: 'wfr_loop',
        source: `export const meta = { name: 'l', description: 'l' };\nwhile (true) {}`,
        limits: { sandbox: { cpuMs: 200 } },
      },
      agents: { run: async () => null, abort: () => {} },
      store: new MemoryRunStore(),
      onEvent: () => {},
    },
  );
  const loopOutcome = await loopRun.outcome;
  (window as unknown as { result: unknown }).result = {
    outcome,
    loopOutcome,
    events,
    agents: store.state.agents.length,
    ms: performance.now() - t0,
  };
}
main().catch((e) => ((window as unknown as { result: unknown }).result = { error: String(e) }));
