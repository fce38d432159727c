// Headless workflow runner: `npm run workflow -- <file.js | name> --args '<json>'`.
// Progress goes to stderr; stdout gets the pretty result, then one final JSON line for scripts and
// CI: {"ok":true,"result":…,"runId":…} or {"ok":false,"error":{"code","message"},"runId":…}.
// Exit codes: 0 completed, 1 failed or stopped during the run, 2 refused before it started.
// Uses an echo agent unless MODEL_BASE_URL is set (then an OpenAI-compatible endpoint).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { newId } from '@boocode/shared/ids';
import { type StructuredOutputMode, structuredOutputModeSchema } from '@boocode/shared/model/provider-kinds';
import type { RunError, WorkflowEvent } from '@boocode/shared/workflow/run-record';
import { chatCompletionsAgent } from './src/agents/chat-completions-agent.ts';
import { echoAgent } from './src/agents/echo-agent.ts';
import { createNodeWorkflowResolver } from './src/catalog/node-workflow-lookup.ts';
import { type LoadedState, loadState, saveState } from './src/cli/state-file.ts';
import { startWorkflow } from './src/engine/run-workflow.ts';
import { WorkflowLookupError } from './src/engine/workflow-resolver.ts';

const USAGE = `usage: npm run workflow -- <file.js | name> [--args '<json>'] [--concurrency N]
       [--budget TOKENS] [--prefix] [--state run.json] [--resume RUN_ID] [--timeout-ms N]
       [--project DIR] [--workflows-dir DIR]...
  a name is looked up in --workflows-dir folders, the project's .boocode/workflows and
  .claude/workflows, ~/.boocode/workflows, then the built-in catalog (workflow(name) in a script too)
  --state FILE     keep the run (and its result cache) in FILE: run again to re-run cheaply
  --resume RUN_ID  resume that run from --state FILE (same run id; the file's script and args
                   unless given again)
  --project DIR    the project whose workflow folders are searched (default: the current folder)
  env MODEL_BASE_URL (+ MODEL_NAME, MODEL_API_KEY, MODEL_STRUCTURED_OUTPUT=json_schema|tool|words) to use a real
  model instead of the echo agent`;

class Refusal extends Error {
  constructor(
    readonly code: RunError['code'],
    message: string,
  ) {
    super(message);
  }
}

/** The final line: always printed, always the last thing on stdout. */
function finalLine(body: { ok: true; result: unknown } | { ok: false; error: RunError }, runId: string | null): void {
  console.log(JSON.stringify({ ...body, runId }));
}

async function main(): Promise<number> {
  let values: ReturnType<typeof parseFlags>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseFlags());
  } catch (error) {
    return refuse(new Refusal('USAGE', `${(error as Error).message}\n${USAGE}`), null);
  }
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const resumeId = values.resume;
  let loaded: LoadedState;
  let source: string;
  let args: unknown;
  let runId: string;
  try {
    if (resumeId !== undefined && !values.state)
      throw new Refusal('USAGE', '--resume needs --state FILE (the run is kept there)');
    loaded = loadState(values.state);
    if (resumeId !== undefined && loaded.store.state.run?.runId !== resumeId) {
      const kept = loaded.store.state.run?.runId;
      throw new Refusal(
        'USAGE',
        `${values.state} holds ${kept ? `run ${kept}` : 'no run'}, not ${resumeId}: nothing to resume`,
      );
    }
    runId = resumeId ?? newId('wfr');
    const target = positionals[0];
    const resolve = createNodeWorkflowResolver({
      projectDir: values.project ?? process.cwd(),
      extraDirs: values['workflows-dir'] ?? [],
    });
    if (target !== undefined) source = await readTarget(target, resolve);
    else if (resumeId !== undefined && loaded.source !== undefined) source = loaded.source;
    else throw new Refusal('USAGE', `name a workflow file or name\n${USAGE}`);
    args = values.args === undefined ? (resumeId !== undefined ? loaded.args : undefined) : parseJsonArgs(values.args);
    return await run({ values, loaded, source, args, runId, resolve });
  } catch (error) {
    if (error instanceof Refusal) return refuse(error, null);
    throw error;
  }
}

function parseFlags() {
  return parseArgs({
    allowPositionals: true,
    options: {
      args: { type: 'string' },
      concurrency: { type: 'string' },
      budget: { type: 'string' },
      prefix: { type: 'boolean' },
      state: { type: 'string' },
      resume: { type: 'string' },
      project: { type: 'string' },
      'workflows-dir': { type: 'string', multiple: true },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function run(input: {
  values: ReturnType<typeof parseFlags>['values'];
  loaded: LoadedState;
  source: string;
  args: unknown;
  runId: string;
  resolve: ReturnType<typeof createNodeWorkflowResolver>;
}): Promise<number> {
  const { values, loaded, source, args, runId, resolve } = input;
  const store = loaded.store;
  const cacheRule = values.prefix
    ? 'prefix'
    : values.resume !== undefined
      ? (loaded.cacheRule ?? 'spec-hash')
      : 'spec-hash';
  const baseUrl = process.env.MODEL_BASE_URL;
  const runAgent = baseUrl
    ? chatCompletionsAgent({
        baseUrl,
        model: process.env.MODEL_NAME ?? 'default',
        apiKey: process.env.MODEL_API_KEY,
        structuredOutput: structuredOutputMode(process.env.MODEL_STRUCTURED_OUTPUT),
      })
    : echoAgent;
  console.error(baseUrl ? `model: ${baseUrl}` : 'model: echo agent (set MODEL_BASE_URL for a real model)');
  const save = () => {
    if (values.state) saveState(values.state, store, { source, args, cacheRule });
  };
  let started = false;
  const handle = startWorkflow({
    runId,
    source,
    args,
    runAgent,
    store,
    resolveWorkflow: resolve,
    cacheRule,
    onEvent: (event) => {
      if (event.type === 'run-start') started = true;
      printProgress(event);
      // After every agent: a crash loses at most the agents in flight, and --resume picks up there.
      if (event.type === 'agent-end') queueMicrotask(save);
    },
    limits: {
      ...(values.concurrency ? { maxConcurrentAgents: Number(values.concurrency) } : {}),
      ...(values.budget ? { budgetTokens: Number(values.budget) } : {}),
      ...(values['timeout-ms'] ? { wallClockMs: Number(values['timeout-ms']) } : {}),
    },
  });
  process.once('SIGINT', () => {
    console.error('stopping (Ctrl-C again to quit now)…');
    handle.stop();
  });
  const outcome = await handle.outcome;
  if (!started) {
    // The script was refused before anything ran (syntax, imports, meta): nothing to keep.
    return refuse(new Refusal(outcome.error?.code ?? 'SCRIPT_ERROR', outcome.error?.message ?? 'refused'), runId);
  }
  save();
  if (outcome.status === 'completed') {
    console.log(JSON.stringify(outcome.result ?? null, null, 2));
    finalLine({ ok: true, result: outcome.result ?? null }, runId);
    return 0;
  }
  const error = outcome.error ?? { code: 'SCRIPT_ERROR' as const, message: 'The run was stopped.' };
  finalLine({ ok: false, error }, runId);
  return 1;
}

function refuse(refusal: Refusal, runId: string | null): number {
  console.error(refusal.message);
  finalLine({ ok: false, error: { code: refusal.code, message: refusal.message.split('\n')[0]! } }, runId);
  return 2;
}

async function readTarget(target: string, resolve: ReturnType<typeof createNodeWorkflowResolver>): Promise<string> {
  if (target.endsWith('.js') && existsSync(target)) return readFileSync(target, 'utf8');
  try {
    return (await resolve(target)).source;
  } catch (error) {
    if (error instanceof WorkflowLookupError) {
      const message = error.message.replace(/^workflow\("[^"]*"\): /, '');
      throw new Refusal('WORKFLOW_NOT_FOUND', `no file ${target} and ${message}`);
    }
    throw error;
  }
}

function parseJsonArgs(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Refusal('USAGE', `--args must be JSON: ${(error as Error).message}`);
  }
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    finalLine(
      { ok: false, error: { code: 'SCRIPT_ERROR', message: String((error as Error)?.message ?? error) } },
      null,
    );
    process.exit(1);
  },
);

/** MODEL_STRUCTURED_OUTPUT: json_schema, tool or words (default words, which every server takes). */
function structuredOutputMode(value: string | undefined): StructuredOutputMode | undefined {
  if (value === undefined || value === '') return undefined;
  const mode = structuredOutputModeSchema.safeParse(value);
  if (!mode.success)
    throw new Refusal('USAGE', `MODEL_STRUCTURED_OUTPUT must be json_schema, tool or words (got “${value}”)`);
  return mode.data;
}
