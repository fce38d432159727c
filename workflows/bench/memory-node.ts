// Peak memory of a Node process running one memory bomb under the default 64 MB limit.
// Run one bomb per process (maxRSS is a process-wide high-water mark):
//   tsx workflows/bench/memory-node.ts <bomb name>   → prints one JSON line
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { BOMB_META, MEMORY_BOMBS } from './memory-bombs.ts';

const name = process.argv[2] ?? '';
const body = MEMORY_BOMBS[name];
if (body === undefined) throw new Error(`no bomb named ${name} (${Object.keys(MEMORY_BOMBS).join(', ')})`);
const rssBeforeMb = process.resourceUsage().maxRSS / 1024;
const started = performance.now();
const outcome = await runWorkflow({
  source: BOMB_META + body,
  runAgent: async () => null,
  limits: { sandbox: { cpuMs: 120_000 } },
});
console.log(
  JSON.stringify({
    bomb: name,
    code: outcome.error?.code ?? outcome.status,
    ms: Math.round(performance.now() - started),
    maxRssBeforeMb: Math.round(rssBeforeMb),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
