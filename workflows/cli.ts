// Headless workflow runner: `npm run workflow -- <file.js | catalog name> --args '<json>'`.
// Prints progress to stderr and the result as JSON to stdout. Uses an echo agent unless
// MODEL_BASE_URL is set (then an OpenAI-compatible /v1/chat/completions endpoint).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WorkflowEvent } from '@boocode/shared/workflow/run-record';
import { chatCompletionsAgent } from './src/agents/chat-completions-agent.ts';
import { echoAgent } from './src/agents/echo-agent.ts';
import { catalogResolver, readCatalog } from './src/catalog/node-catalog.ts';
import { MemoryRunStore } from './src/engine/run-store.ts';
import { startWorkflow } from './src/engine/run-workflow.ts';

const USAGE = `usage: npm run workflow -- <file.js | catalog name> [--args '<json>'] [--concurrency N]
       [--budget TOKENS] [--prefix] [--state run.json] [--timeout-ms N]
  --state FILE  keep the run (and its result cache) in FILE: run again to resume or re-run cheaply
  env MODEL_BASE_URL (+ MODEL_NAME, MODEL_API_KEY) to use a real model instead of the echo agent`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      args: { type: 'string' },
      concurrency: { type: 'string' },
      budget: { type: 'string' },
      prefix: { type: 'boolean' },
      state: { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const target = positionals[0];
  if (values.help || !target) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const catalog = readCatalog();
  const source = existsSync(target) ? readFileSync(target, 'utf8') : catalog.get(target);
  if (source === undefined) {
    console.error(`no file or catalog workflow named ${target} (catalog: ${[...catalog.keys()].join(', ')})`);
    return 2;
  }
  const store = loadState(values.state);
  const baseUrl = process.env.MODEL_BASE_URL;
  const runAgent = baseUrl
    ? chatCompletionsAgent({ baseUrl, model: process.env.MODEL_NAME ?? 'default', apiKey: process.env.MODEL_API_KEY })
    : echoAgent;
  console.error(baseUrl ? `model: ${baseUrl}` : 'model: echo agent (set MODEL_BASE_URL for a real model)');
  const run = startWorkflow({
    source,
    args: values.args === undefined ? undefined : (JSON.parse(values.args) as unknown),
    runAgent,
    store,
    resolveWorkflow: catalogResolver(catalog),
    cacheRule: values.prefix ? 'prefix' : 'spec-hash',
    onEvent: printProgress,
    limits: {
      ...(values.concurrency ? { maxConcurrentAgents: Number(values.concurrency) } : {}),
      ...(values.budget ? { budgetTokens: Number(values.budget) } : {}),
      ...(values['timeout-ms'] ? { wallClockMs: Number(values['timeout-ms']) } : {}),
    },
  });
  process.once('SIGINT', () => {
    console.error('stopping (Ctrl-C again to quit now)…');
    run.stop();
  });
  const outcome = await run.outcome;
  if (values.state) saveState(values.state, store);
  if (outcome.status === 'completed') console.log(JSON.stringify(outcome.result ?? null, null, 2));
  return outcome.status === 'completed' ? 0 : 1;
}

function printProgress(event: WorkflowEvent): void {
  const agentName = (a: { index: number; label?: string }) => `#${a.index}${a.label ? ` ${a.label}` : ''}`;
  switch (event.type) {
    case 'run-start':
      console.error(`▶ ${event.run.meta.name} (${event.run.runId})`);
      break;
    case 'phase':
      console.error(`── ${event.title}`);
      break;
    case 'log':
      console.error(`${event.line.level === 'warn' ? '  ! ' : '  · '}${event.line.message}`);
      break;
    case 'agent-start':
      if (!event.agent.cached) console.error(`  … ${agentName(event.agent)}`);
      break;
    case 'agent-end': {
      const a = event.agent;
      const took = a.startedAt && a.endedAt ? ` ${((a.endedAt - a.startedAt) / 1000).toFixed(1)}s` : '';
      const mark = a.status === 'done' ? (a.cached ? '↺' : '✓') : '✗';
      console.error(
        `  ${mark} ${agentName(a)} ${a.cached ? 'cached' : `${a.usage.tokens} tok${took}`}${a.error ? ` (${a.error})` : ''}`,
      );
      break;
    }
    case 'run-end': {
      const o = event.outcome;
      const agents = `${o.agents.executed} run, ${o.agents.cached} cached`;
      console.error(
        `■ ${o.status}: ${agents}, ${o.tokens} tokens${o.error ? `\n  ${o.error.code}: ${o.error.message}` : ''}`,
      );
      break;
    }
    default:
      break;
  }
}

interface SavedState {
  state: MemoryRunStore['state'];
  cache: [string, ReturnType<MemoryRunStore['cache']['get']>][];
}

function loadState(path: string | undefined): MemoryRunStore {
  const store = new MemoryRunStore();
  if (!path || !existsSync(path)) return store;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedState;
  Object.assign(store.state, saved.state);
  for (const [hash, result] of saved.cache) if (result) store.cache.set(hash, result);
  return store;
}

function saveState(path: string, store: MemoryRunStore): void {
  const saved: SavedState = { state: store.state, cache: [...store.cache.entries()] };
  writeFileSync(path, JSON.stringify(saved, null, 2));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
