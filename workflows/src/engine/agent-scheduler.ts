// Runs the script's agent() calls: spec-hash cache (or Claude Code's prefix rule), the
// concurrency cap, the per-run agent limit, the token budget, schema re-asks and stopping.
// Invariant: start order (`index`) is assigned synchronously at the agent() call, so it follows
// the script's own order and the prefix rule compares like with like.
import {
  type AgentEntry,
  AgentOptions,
  type CachedAgentResult,
  type CacheRule,
} from '@boocode/shared/workflow/run-record';
import { specHash } from '@boocode/shared/workflow/spec-hash';
import type { AgentReply, RunAgent } from './agent-contract.ts';
import type { RunRecorder } from './run-recorder.ts';
import type { RunStore } from './run-store.ts';
import { prepareSchema, SchemaProblem } from './schema-check.ts';
import { reaskPrompt, type SchemaCheck } from './schema-output.ts';

export interface SchedulerConfig {
  runId: string;
  runAgent: RunAgent;
  store: RunStore;
  recorder: RunRecorder;
  maxConcurrentAgents: number;
  maxAgents: number;
  budgetTokens: number | null;
  /** Total asks for a schema-bound agent (first ask + re-asks). */
  schemaAttempts: number;
  cacheRule: CacheRule;
  priorStartOrder: readonly string[];
  now: () => number;
}

export interface AgentCallContext {
  phase?: string;
  workflow?: string;
}

type Execution =
  | { kind: 'done'; value: unknown; tokens: number; childSessionId?: string }
  | { kind: 'null'; status: 'stopped' | 'failed'; error?: string };

export class AgentScheduler {
  started = 0;
  executed = 0;
  cachedCount = 0;
  spent = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly controllers = new Map<string, AbortController>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private prefixIntact: Promise<boolean> = Promise.resolve(true);
  private closed = false;
  /** Compiled schemas by their JSON: a 50-agent fan-out with one schema compiles it once. */
  private readonly schemas = new Map<string, (text: string) => SchemaCheck>();

  constructor(private readonly config: SchedulerConfig) {}

  /** agent(prompt, opts) from the script. Resolves to text, a validated object, or null. */
  call(prompt: string, optionsJson: string, context: AgentCallContext): Promise<unknown> {
    const task = this.callOnce(prompt, optionsJson, context);
    this.inFlight.add(task);
    const forget = () => this.inFlight.delete(task);
    task.then(forget, forget);
    return task;
  }

  private async callOnce(prompt: string, optionsJson: string, context: AgentCallContext): Promise<unknown> {
    if (this.closed) return null;
    if (this.started >= this.config.maxAgents) {
      throw new RangeError(`agent(): a run may start at most ${this.config.maxAgents} agents`);
    }
    this.assertBudget();
    const options = parseOptions(optionsJson);
    // Before the agent counts or the model is asked: a schema nobody can answer fails here, free.
    if (options.schema) this.schemaFor(options.schema);
    const index = this.started++;
    const hash = specHash(prompt, options);
    const cached = this.lookup(index, hash);
    cached.catch(() => {}); // a failed hash is reported by `await hash` below
    const entry: AgentEntry = {
      id: `agent-${index}`,
      index,
      specHash: await hash,
      prompt,
      label: options.label,
      phase: options.phase ?? context.phase,
      model: options.model,
      workflow: context.workflow,
      status: 'queued',
      cached: false,
      usage: { tokens: 0 },
      attempts: 0,
    };
    const hit = await cached;
    if (hit) return this.reuse(entry, hit);
    return this.executeQueued(entry, prompt, options, context);
  }

  private schemaFor(schema: Record<string, unknown>): (text: string) => SchemaCheck {
    const key = JSON.stringify(schema);
    let check = this.schemas.get(key);
    if (!check) {
      try {
        check = prepareSchema(schema);
      } catch (error) {
        if (error instanceof SchemaProblem)
          throw new TypeError(`agent(): opts.schema cannot be used, ${error.message}`);
        throw error;
      }
      this.schemas.set(key, check);
    }
    return check;
  }

  /** Stop one agent: its agent() resolves null. False if no such agent is queued or running. */
  stopAgent(agentId: string): boolean {
    const controller = this.controllers.get(agentId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /**
   * The run is over: stop every agent, refuse new ones, and resolve once every agent() call has
   * recorded its end, so the store holds final statuses before the run's outcome.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.controllers.values()) controller.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private assertBudget(): void {
    const total = this.config.budgetTokens;
    if (total !== null && this.spent >= total) {
      throw new RangeError(`agent(): the token budget is spent (${this.spent} of ${total} tokens)`);
    }
  }

  /**
   * The cached result this call may reuse. Under the prefix rule, call i is reused only if
   * every call before it was, and the previous attempt's call i had the same hash.
   */
  private lookup(index: number, hash: Promise<string>): Promise<CachedAgentResult | undefined> {
    if (this.config.cacheRule === 'spec-hash') return hash.then((h) => this.cachedResult(h));
    const previous = this.prefixIntact;
    const decision = (async () => {
      const h = await hash;
      if (!(await previous) || this.config.priorStartOrder[index] !== h) return undefined;
      return this.cachedResult(h);
    })();
    this.prefixIntact = decision.then((hit) => hit !== undefined);
    return decision;
  }

  private async cachedResult(hash: string): Promise<CachedAgentResult | undefined> {
    try {
      return await this.config.store.getCachedResult(hash);
    } catch (error) {
      this.config.recorder.log('warn', `cache lookup failed, running the agent: ${messageOf(error)}`);
      return undefined;
    }
  }

  private reuse(entry: AgentEntry, hit: CachedAgentResult): unknown {
    this.cachedCount++;
    const now = this.config.now();
    Object.assign(entry, {
      status: 'done',
      cached: true,
      result: hit.result,
      childSessionId: hit.childSessionId,
      startedAt: now,
      endedAt: now,
    } satisfies Partial<AgentEntry>);
    this.config.recorder.agentStart(entry);
    this.config.recorder.agentEnd(entry);
    return hit.result;
  }

  private async executeQueued(
    entry: AgentEntry,
    prompt: string,
    options: AgentOptions,
    context: AgentCallContext,
  ): Promise<unknown> {
    const controller = new AbortController();
    if (this.closed) controller.abort();
    this.controllers.set(entry.id, controller);
    this.config.recorder.agentStart(entry);
    try {
      if (!(await this.acquireSlot(controller.signal))) return this.end(entry, { kind: 'null', status: 'stopped' });
      try {
        this.assertBudgetFor(entry);
        entry.status = 'running';
        entry.startedAt = this.config.now();
        this.config.recorder.agentUpdate(entry);
        const stopped = new Promise<Execution>((resolve) => {
          const onAbort = () => resolve({ kind: 'null', status: 'stopped' });
          if (controller.signal.aborted) onAbort();
          controller.signal.addEventListener('abort', onAbort, { once: true });
        });
        const execution = this.execute(entry, prompt, options, context, controller.signal);
        // If a stop wins the race, a later schema failure has nobody left to tell.
        execution.catch(() => {});
        return this.end(entry, await Promise.race([execution, stopped]));
      } finally {
        this.releaseSlot();
      }
    } finally {
      this.controllers.delete(entry.id);
    }
  }

  private assertBudgetFor(entry: AgentEntry): void {
    try {
      this.assertBudget();
    } catch (error) {
      this.end(entry, { kind: 'null', status: 'failed', error: messageOf(error) });
      throw error;
    }
  }

  private async execute(
    entry: AgentEntry,
    prompt: string,
    options: AgentOptions,
    context: AgentCallContext,
    signal: AbortSignal,
  ): Promise<Execution> {
    const check = options.schema ? this.schemaFor(options.schema) : undefined;
    let ask = prompt;
    let lastError = '';
    let tokens = 0;
    const attempts = check ? this.config.schemaAttempts : 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      entry.attempts = attempt;
      if (attempt > 1) this.config.recorder.agentUpdate(entry);
      const reply = await this.ask(entry, ask, options, context, attempt, signal);
      if (signal.aborted) return { kind: 'null', status: 'stopped' };
      if (reply.kind === 'died') return { kind: 'null', status: 'failed', error: reply.error };
      tokens += reply.usage.tokens;
      entry.usage = { tokens };
      this.spend(reply.usage.tokens);
      entry.childSessionId = reply.childSessionId ?? entry.childSessionId;
      if (!check || !options.schema)
        return { kind: 'done', value: reply.text, tokens, childSessionId: entry.childSessionId };
      const checked = check(reply.text);
      if (checked.ok) return { kind: 'done', value: checked.value, tokens, childSessionId: entry.childSessionId };
      lastError = checked.error;
      ask = reaskPrompt(prompt, options.schema, reply.text, lastError);
    }
    const message = `agent(): the answer did not match the schema after ${attempts} attempts: ${lastError}`;
    this.end(entry, { kind: 'null', status: 'failed', error: message });
    throw new TypeError(message);
  }

  private async ask(
    entry: AgentEntry,
    prompt: string,
    options: AgentOptions,
    context: AgentCallContext,
    attempt: number,
    signal: AbortSignal,
  ): Promise<(AgentReply & { kind: 'reply' }) | { kind: 'died'; error: string }> {
    try {
      const spec = {
        runId: this.config.runId,
        agentId: entry.id,
        prompt,
        options,
        attempt,
        workflow: context.workflow,
      };
      const reply = await this.config.runAgent(spec, signal);
      if (!reply) return { kind: 'died', error: signal.aborted ? 'stopped' : 'the agent ended without an answer' };
      return { kind: 'reply', ...reply };
    } catch (error) {
      return { kind: 'died', error: messageOf(error) };
    }
  }

  private spend(tokens: number): void {
    this.spent += tokens;
    this.config.recorder.budget(this.spent, this.config.budgetTokens);
  }

  /** Record the agent's end once; returns what agent() resolves to. */
  private end(entry: AgentEntry, execution: Execution): unknown {
    if (entry.status !== 'queued' && entry.status !== 'running')
      return execution.kind === 'done' ? execution.value : null;
    entry.endedAt = this.config.now();
    if (execution.kind === 'null') {
      entry.status = execution.status;
      entry.error = execution.error;
      if (execution.status === 'failed')
        this.config.recorder.log('warn', `${describe(entry)} failed: ${execution.error}`);
      this.config.recorder.agentEnd(entry);
      return null;
    }
    this.executed++;
    entry.status = 'done';
    entry.result = execution.value;
    this.config.recorder.agentEnd(entry);
    void this.config.store
      .cacheResult({
        specHash: entry.specHash,
        result: execution.value,
        tokens: execution.tokens,
        childSessionId: execution.childSessionId,
      })
      .catch((error: unknown) =>
        this.config.recorder.log('warn', `could not cache ${describe(entry)}: ${messageOf(error)}`),
      );
    return execution.value;
  }

  private acquireSlot(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.running < this.config.maxConcurrentAgents) {
      this.running++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const take = () => {
        signal.removeEventListener('abort', giveUp);
        this.running++;
        resolve(true);
      };
      const giveUp = () => {
        const at = this.waiting.indexOf(take);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(false);
      };
      this.waiting.push(take);
      signal.addEventListener('abort', giveUp, { once: true });
    });
  }

  private releaseSlot(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}

function parseOptions(json: string): AgentOptions {
  const parsed = AgentOptions.safeParse(JSON.parse(json));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `opts.${i.path.join('.')}: ${i.message}`).join('; ');
  throw new TypeError(`agent(prompt, opts): ${issues}`);
}

function describe(entry: AgentEntry): string {
  return `agent ${entry.index}${entry.label ? ` (${entry.label})` : ''}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
