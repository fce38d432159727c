// Runs a script body under a fixed meta with a scripted agent, collecting events and the store.
import type { WorkflowEvent } from '@boocode/shared/workflow/run-record';
import { MemoryRunStore } from '../src/engine/run-store.ts';
import { type StartWorkflowOptions, startWorkflow } from '../src/engine/run-workflow.ts';
import { loadQuickJS } from '../src/sandbox/quickjs-module.ts';
import { scriptedAgent } from './scripted-agent.ts';

export const META = `export const meta = { name: 'test', description: 'a test workflow' };\n`;

/** Starts the run and returns at once, with the handle (stop, stopAgent) and the outcome promise. */
export async function startBody(body: string, options: Partial<StartWorkflowOptions> = {}) {
  const events: WorkflowEvent[] = [];
  const store = (options.store as MemoryRunStore | undefined) ?? new MemoryRunStore();
  const run = startWorkflow({
    source: META + body,
    runAgent: scriptedAgent().runAgent,
    quickjs: await loadQuickJS(),
    ...options,
    store,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  return { run, events, store };
}

export async function runBody(body: string, options: Partial<StartWorkflowOptions> = {}) {
  const started = await startBody(body, options);
  return { ...started, outcome: await started.run.outcome };
}
