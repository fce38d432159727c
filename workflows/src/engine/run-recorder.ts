// Reports a run's progress twice: as events right away (the live UI) and into the RunStore
// (what survives a refresh). Store writes go through one queue so they land in event order;
// a failing write is reported as an event, never dropped silently, and never stops the run.
import type { AgentEntry, LogLine, WorkflowEvent } from '@boocode/shared/workflow/run-record';
import type { RunStore } from './run-store.ts';

export class RunRecorder {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: RunStore,
    private readonly emit: (event: WorkflowEvent) => void,
    private readonly now: () => number,
  ) {}

  agentStart(agent: AgentEntry): void {
    this.emitSafely({ type: 'agent-start', agent: structuredClone(agent) });
    this.saveAgent(agent);
  }

  agentUpdate(agent: AgentEntry): void {
    this.emitSafely({ type: 'agent-update', agent: structuredClone(agent) });
    this.saveAgent(agent);
  }

  agentEnd(agent: AgentEntry): void {
    this.emitSafely({ type: 'agent-end', agent: structuredClone(agent) });
    this.saveAgent(agent);
  }

  phase(title: string): void {
    this.emitSafely({ type: 'phase', title });
    this.write(() => this.store.recordPhase(title));
  }

  log(level: LogLine['level'], message: string): void {
    const line: LogLine = { at: this.now(), level, message };
    this.emitSafely({ type: 'log', line });
    this.write(() => this.store.appendLog(line));
  }

  budget(spent: number, total: number | null): void {
    this.emitSafely({ type: 'budget', spent, total });
    this.write(() => this.store.recordBudget(spent));
  }

  /** Wait for every queued store write. */
  flush(): Promise<void> {
    return this.writes;
  }

  /** Cloned now: the engine keeps mutating its entry while the write waits in the queue. */
  private saveAgent(agent: AgentEntry): void {
    const frozen = structuredClone(agent);
    this.write(() => this.store.recordAgent(frozen));
  }

  private write(task: () => Promise<void>): void {
    this.writes = this.writes.then(task).catch((error: unknown) => {
      const message = `could not save run progress: ${error instanceof Error ? error.message : String(error)}`;
      this.emitSafely({ type: 'log', line: { at: this.now(), level: 'warn', message } });
    });
  }

  private emitSafely(event: WorkflowEvent): void {
    try {
      this.emit(event);
    } catch (error) {
      // A broken listener must not break the run; say so where a developer will look.
      console.error('workflow event listener threw', error);
    }
  }
}
