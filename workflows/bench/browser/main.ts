// Runs the memory bomb named in ?bomb= in the real workflow Web Worker; the outcome lands on
// window.result. Driven by ../memory-browser.ts, which watches the renderer's memory meanwhile.
import { MemoryRunStore } from '../../src/engine/run-store.ts';
import { runWorkflowInWorker } from '../../src/worker/worker-client.ts';
import { BOMB_META, MEMORY_BOMBS } from '../memory-bombs.ts';

const name = new URLSearchParams(location.search).get('bomb') ?? '';
const target = window as unknown as { result?: unknown };
async function main() {
  const body = MEMORY_BOMBS[name];
  if (body === undefined) throw new Error(`no bomb named ${name}`);
  const started = performance.now();
  const run = runWorkflowInWorker(
    () => new Worker(new URL('../../src/worker.ts', import.meta.url), { type: 'module' }),
    {
      request: { runId: 'wfr_bomb', source: BOMB_META + body, limits: { sandbox: { cpuMs: 120_000 } } },
      agents: { run: async () => null, abort: () => {} },
      store: new MemoryRunStore(),
      onEvent: () => {},
    },
  );
  const outcome = await run.outcome;
  target.result = { outcome, ms: Math.round(performance.now() - started) };
}
main().catch((error: unknown) => {
  target.result = { error: String(error) };
});
