// A dry run of a script from the editor: the real engine in the workflow worker, every agent answered
// by the echo agent (no model, no tokens), kept in memory (no run doc, nothing cached for later runs).
// What it shows is what a real run would start: the phases in order and each agent's label, phase
// and prompt, then how the script ended.
import type { RunOutcome, WorkflowEvent } from '@boocode/shared/workflow/run-record';
import { echoAgent } from '@boocode/workflows/agents/echo-agent';
import { MemoryRunStore } from '@boocode/workflows/engine/run-store';
import type { WorkerRunHandle, WorkerRunOptions } from '@boocode/workflows/worker/worker-client';

export interface DryRunAgent {
  index: number;
  label?: string;
  phase?: string;
  /** The nested workflow it belongs to, when not the script's own. */
  workflow?: string;
  prompt: string;
}

export interface DryRunReport {
  phases: string[];
  agents: DryRunAgent[];
  log: string[];
  outcome: RunOutcome;
}

/** Starts a run the way the app does (a worker); tests pass the engine itself. */
export type StartRun = (options: WorkerRunOptions) => WorkerRunHandle;

export async function dryRunWorkflow(
  start: StartRun,
  input: { source: string; args: unknown; resolveWorkflow?: WorkerRunOptions['resolveWorkflow'] },
): Promise<DryRunReport> {
  const phases: string[] = [];
  const agents = new Map<number, DryRunAgent>();
  const log: string[] = [];
  const onEvent = (event: WorkflowEvent) => {
    if (event.type === 'phase') phases.push(event.title);
    else if (event.type === 'log') log.push(event.line.message);
    else if (event.type === 'agent-start' && !agents.has(event.agent.index)) {
      const { index, label, phase, workflow, prompt } = event.agent;
      agents.set(index, {
        index,
        prompt,
        ...(label ? { label } : {}),
        ...(phase ? { phase } : {}),
        ...(workflow ? { workflow } : {}),
      });
    }
  };
  const handle = start({
    request: {
      runId: `dry-${Date.now().toString(36)}`,
      source: input.source,
      ...(input.args === undefined ? {} : { args: input.args }),
    },
    agents: {
      run: (spec) => echoAgent(spec, new AbortController().signal),
      abort: () => {},
    },
    store: new MemoryRunStore(),
    onEvent,
    ...(input.resolveWorkflow ? { resolveWorkflow: input.resolveWorkflow } : {}),
  });
  const outcome = await handle.outcome;
  return { phases, agents: [...agents.values()].sort((a, b) => a.index - b.index), log, outcome };
}
