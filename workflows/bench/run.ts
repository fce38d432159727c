// Workflow engine figures for `npm run bench` (figures, not a test): a small script's run
// (context + script) median, a cached re-run of a 50-agent workflow, and the memory bound's peak
// memory in Node and in Chromium's worker while scripts allocate without end.
// BENCH_WORKFLOW_BROWSER=0 skips the browser part (it builds a page with Vite and starts Chromium).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunAgent } from '../src/engine/agent-contract.ts';
import { MemoryRunStore } from '../src/engine/run-store.ts';
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { loadQuickJS } from '../src/sandbox/quickjs-module.ts';
import { MEMORY_BOMBS } from './memory-bombs.ts';
import { measureBrowserMemory } from './memory-browser.ts';

const META = `export const meta = { name: 'bench', description: 'bench' };\n`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function smallScript(): Promise<{ median: number; p90: number }> {
  const quickjs = await loadQuickJS();
  const source = `${META}return [1, 2, 3].map((n) => n * 2).reduce((a, b) => a + b, 0);`;
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    const outcome = await runWorkflow({ source, runAgent: async () => null, quickjs });
    if (outcome.result !== 12) throw new Error(`small script gave ${JSON.stringify(outcome)}`);
    if (i >= 10) times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: median(times), p90: sorted[Math.floor(sorted.length * 0.9)]! };
}

async function cachedRerun(): Promise<{ median: number; modelCalls: number }> {
  const quickjs = await loadQuickJS();
  let calls = 0;
  const runAgent: RunAgent = async (spec) => {
    calls++;
    return { text: `answer ${spec.prompt}`, usage: { tokens: 10 } };
  };
  const source = `${META}phase('fan');
return (await parallel(Array.from({ length: 50 }, (_, i) => () => agent('task ' + i, { label: 'a' + i })))).length;`;
  const store = new MemoryRunStore();
  await runWorkflow({ source, runAgent, store, quickjs, runId: 'wfr_bench' });
  const before = calls;
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    const outcome = await runWorkflow({ source, runAgent, store, quickjs, runId: 'wfr_bench' });
    times.push(performance.now() - t);
    if (outcome.agents.cached !== 50) throw new Error(`re-run reused ${outcome.agents.cached} of 50`);
  }
  return { median: median(times), modelCalls: calls - before };
}

function nodeMemory(): Record<string, unknown>[] {
  const script = fileURLToPath(new URL('./memory-node.ts', import.meta.url));
  return Object.keys(MEMORY_BOMBS).map(
    (bomb) =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', script, bomb], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .at(-1)!,
      ) as Record<string, unknown>,
  );
}

async function main() {
  console.log('workflows: small script (fresh runtime + context + script, pooled module), 50 runs');
  const small = await smallScript();
  console.log(`  median ${small.median.toFixed(2)} ms, p90 ${small.p90.toFixed(2)} ms (goal < 5 ms)`);
  console.log('workflows: cached re-run of a 50-agent workflow, 15 re-runs');
  const rerun = await cachedRerun();
  console.log(
    `  median ${rerun.median.toFixed(1)} ms, model calls during re-runs: ${rerun.modelCalls} (goal < 100 ms, 0)`,
  );
  console.log('workflows: peak memory while a script allocates without end (limit 64 MB; wasm bound 80 MB)');
  console.log('  Node, one process per bomb (maxRSS includes Node itself, ~90 MB before the run):');
  console.table(nodeMemory());
  if (process.env.BENCH_WORKFLOW_BROWSER !== '0') {
    console.log('  Chromium, the renderer hosting the workflow worker (VmHWM; an idle run peaks ~150 MB):');
    console.table(await measureBrowserMemory());
  }
}

await main();
