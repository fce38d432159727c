// Where a run is kept. The engine only talks to this interface; the app backs it with the
// `workflow-run:<id>` doc (synced, so a re-run on another device reuses the same results),
// tests and the headless command with MemoryRunStore. Every method may be async (a Comlink
// proxy from the worker to the page is).
import type { AgentEntry, CachedAgentResult, LogLine, RunOutcome, RunStart } from '@boocode/shared/workflow/run-record';

export interface RunStore {
  /**
   * A new attempt of the run begins (first run, re-run or resume). Returns the spec hashes of
   * the previous attempt's agents in start order (for the prefix rule) and starts a fresh agent
   * list; cached results are kept.
   */
  startAttempt(run: RunStart): Promise<{ priorStartOrder: string[] }>;
  /** A completed result for this spec hash, from any earlier attempt. */
  getCachedResult(specHash: string): Promise<CachedAgentResult | undefined>;
  /** Store a completed result so later attempts can reuse it. */
  cacheResult(result: CachedAgentResult): Promise<void>;
  /** Insert or replace the agent entry with this id. */
  recordAgent(agent: AgentEntry): Promise<void>;
  recordPhase(title: string): Promise<void>;
  appendLog(line: LogLine): Promise<void>;
  recordBudget(spent: number): Promise<void>;
  finishAttempt(outcome: RunOutcome): Promise<void>;
}

/** The whole run as MemoryRunStore keeps it (tests read it; the doc has the same parts). */
export interface MemoryRunState {
  run?: RunStart;
  agents: AgentEntry[];
  phases: string[];
  log: LogLine[];
  spent: number;
  outcome?: RunOutcome;
  attempts: number;
}

export class MemoryRunStore implements RunStore {
  readonly state: MemoryRunState = { agents: [], phases: [], log: [], spent: 0, attempts: 0 };
  readonly cache = new Map<string, CachedAgentResult>();

  async startAttempt(run: RunStart): Promise<{ priorStartOrder: string[] }> {
    const priorStartOrder = [...this.state.agents].sort((a, b) => a.index - b.index).map((a) => a.specHash);
    this.state.run = run;
    this.state.agents = [];
    this.state.phases = [];
    this.state.log = [];
    this.state.spent = 0;
    this.state.outcome = undefined;
    this.state.attempts += 1;
    return { priorStartOrder };
  }

  async getCachedResult(specHash: string): Promise<CachedAgentResult | undefined> {
    return this.cache.get(specHash);
  }

  async cacheResult(result: CachedAgentResult): Promise<void> {
    this.cache.set(result.specHash, result);
  }

  async recordAgent(agent: AgentEntry): Promise<void> {
    const copy = structuredClone(agent);
    const at = this.state.agents.findIndex((a) => a.id === agent.id);
    if (at >= 0) this.state.agents[at] = copy;
    else this.state.agents.push(copy);
  }

  async recordPhase(title: string): Promise<void> {
    this.state.phases.push(title);
  }

  async appendLog(line: LogLine): Promise<void> {
    this.state.log.push(line);
  }

  async recordBudget(spent: number): Promise<void> {
    this.state.spent = spent;
  }

  async finishAttempt(outcome: RunOutcome): Promise<void> {
    this.state.outcome = outcome;
  }
}
