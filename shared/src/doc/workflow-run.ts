// Typed accessors for a `workflow-run:<id>` doc (script and its hash, args, phases, one entry per
// agent, log, budget use, outcome, and the run's spec-hash cache), and YDocRunStore: the workflow
// engine's RunStore over that doc. Only this module knows the doc's key names.
// Invariant: a completed agent result is written to the run's cache and indexed in the space doc
// (spec hash -> run) in one place, so a re-run on any replica that has synced both can reuse it.
import type * as Y from 'yjs';
import type {
  AgentEntry,
  CachedAgentResult,
  CacheRule,
  LogLine,
  RunOutcome,
  RunStart,
  RunStatus,
  WorkflowMeta,
} from '../workflow/run-record.ts';
import { getWorkflowCacheEntry, putWorkflowCacheEntry } from './space.ts';

const RUN = 'run';
const AGENTS = 'agents';
const PHASES = 'phases';
const LOG = 'log';
const CACHE = 'cache';
/** agentId -> AgentActivity, written by the page that runs the agent (live child session and its last words). */
const ACTIVITY = 'activity';
/** In the space doc: runId -> WorkflowRunIndexEntry, so a session finds its runs on any device. */
const SPACE_RUN_INDEX = 'workflowRuns';

/** What the user asked for, written once when the run is created. */
export interface WorkflowRunRequestFields {
  runId: string;
  /** The session the run was started from; its agents become child sessions of it. */
  sessionId: string;
  /** Catalog name the script came from (built-in, project or personal). */
  workflowName: string;
  source: string;
  /** Absent when the run was started without args. */
  args?: unknown;
  cacheRule?: CacheRule;
  /** The user's per-run limits (absent: the engine's defaults); kept so a resume or re-run runs alike. */
  limits?: WorkflowRunLimits;
  createdAt: number;
}

export interface WorkflowRunLimits {
  /** Agents running at once. */
  maxConcurrentAgents?: number;
  /** Token ceiling for an attempt; null for none. */
  budgetTokens?: number | null;
}

export interface WorkflowRunView extends WorkflowRunRequestFields {
  status: RunStatus;
  scriptHash?: string;
  meta?: WorkflowMeta;
  budgetTotal: number | null;
  /** Start of the current attempt. */
  startedAt?: number;
  attempts: number;
  spent: number;
  outcome?: RunOutcome;
  /** Set by any tab to ask the driving tab to stop the run. */
  stopRequested: boolean;
  phases: string[];
  /** Agents of the current attempt, in start order. */
  agents: AgentEntry[];
  /** Agent ids some tab asked the driver to stop (current attempt). */
  stopAgentIds: string[];
  /** What each running agent of the current attempt is doing, by agent id. */
  activity: Record<string, AgentActivity>;
  log: LogLine[];
}

export interface AgentActivity {
  childSessionId: string;
  /** The tail of the agent's latest output. */
  text?: string;
  at: number;
}

export interface WorkflowRunIndexEntry {
  runId: string;
  sessionId: string;
  workflowName: string;
  createdAt: number;
  /** The run's status as last recorded (the agent host's inbox is the running ones); absent on older runs. */
  status?: RunStatus;
}

function runMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(RUN);
}
function agentsMap(doc: Y.Doc): Y.Map<AgentEntry> {
  return doc.getMap<AgentEntry>(AGENTS);
}
function phasesArray(doc: Y.Doc): Y.Array<string> {
  return doc.getArray<string>(PHASES);
}
function logArray(doc: Y.Doc): Y.Array<LogLine> {
  return doc.getArray<LogLine>(LOG);
}
function cacheMap(doc: Y.Doc): Y.Map<CachedAgentResult> {
  return doc.getMap<CachedAgentResult>(CACHE);
}
function activityMap(doc: Y.Doc): Y.Map<AgentActivity> {
  return doc.getMap<AgentActivity>(ACTIVITY);
}
function runIndexMap(space: Y.Doc): Y.Map<WorkflowRunIndexEntry> {
  return space.getMap<WorkflowRunIndexEntry>(SPACE_RUN_INDEX);
}

function setFields(map: Y.Map<unknown>, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) map.delete(key);
    else map.set(key, value);
  }
}

/** Creates the run (status running: the first attempt is about to start) and indexes it in the space doc. */
export function initWorkflowRun(doc: Y.Doc, space: Y.Doc, request: WorkflowRunRequestFields): void {
  doc.transact(() => {
    setFields(runMap(doc), {
      ...request,
      // JSON text keeps `null` and `undefined` args apart (a Y.Map cannot hold undefined).
      args: request.args === undefined ? undefined : JSON.stringify(request.args),
      status: 'running',
      attempts: 0,
      spent: 0,
      budgetTotal: null,
      stopRequested: false,
    });
  });
  space.transact(() => {
    runIndexMap(space).set(request.runId, {
      runId: request.runId,
      sessionId: request.sessionId,
      workflowName: request.workflowName,
      createdAt: request.createdAt,
      status: 'running',
    });
  });
}

/** The whole run as the UI shows it; undefined until the doc holds a run. */
export function getWorkflowRun(doc: Y.Doc): WorkflowRunView | undefined {
  const run = runMap(doc);
  const runId = run.get('runId');
  if (typeof runId !== 'string') return undefined;
  const get = <T>(key: string) => run.get(key) as T;
  const argsText = get<string | undefined>('args');
  return {
    runId,
    sessionId: get('sessionId'),
    workflowName: get('workflowName'),
    source: get('source'),
    args: argsText === undefined ? undefined : (JSON.parse(argsText) as unknown),
    cacheRule: get('cacheRule'),
    limits: get('limits'),
    createdAt: get('createdAt'),
    status: get('status') ?? 'running',
    scriptHash: get('scriptHash'),
    meta: get('meta'),
    budgetTotal: get<number | null | undefined>('budgetTotal') ?? null,
    startedAt: get('startedAt'),
    attempts: get<number | undefined>('attempts') ?? 0,
    spent: get<number | undefined>('spent') ?? 0,
    outcome: get('outcome'),
    stopRequested: get<boolean | undefined>('stopRequested') ?? false,
    phases: phasesArray(doc).toArray(),
    stopAgentIds: get<string[] | undefined>('stopAgentIds') ?? [],
    activity: Object.fromEntries(activityMap(doc).entries()),
    agents: [...agentsMap(doc).values()].sort((a, b) => a.index - b.index),
    log: logArray(doc).toArray(),
  };
}

/** Calls onChange after any change to the run (from this tab, another tab or another device). */
export function observeWorkflowRun(doc: Y.Doc, onChange: () => void): () => void {
  const parts = [
    runMap(doc),
    agentsMap(doc),
    phasesArray(doc),
    logArray(doc),
    activityMap(doc),
  ] as Y.AbstractType<unknown>[];
  const handler = () => onChange();
  for (const part of parts) part.observe(handler);
  return () => {
    for (const part of parts) part.unobserve(handler);
  };
}

/** Asks whoever drives the run to stop it (or clears the request before a resume). */
export function setStopRequested(doc: Y.Doc, requested: boolean): void {
  doc.transact(() => runMap(doc).set('stopRequested', requested));
}

/** Asks whoever drives the run to stop one agent (its agent() gives null). */
export function requestAgentStop(doc: Y.Doc, agentId: string): void {
  const map = runMap(doc);
  const ids = (map.get('stopAgentIds') as string[] | undefined) ?? [];
  if (!ids.includes(agentId)) doc.transact(() => map.set('stopAgentIds', [...ids, agentId]));
}

export function setAgentActivity(doc: Y.Doc, agentId: string, activity: AgentActivity): void {
  doc.transact(() => activityMap(doc).set(agentId, withoutUndefined(activity)));
}

/** Marks a run that nobody can finish (its driver is gone and it must not resume) as stopped. */
export function markWorkflowRunStatus(doc: Y.Doc, status: RunStatus, space?: Y.Doc): void {
  doc.transact(() => runMap(doc).set('status', status));
  const runId = runMap(doc).get('runId');
  if (space && typeof runId === 'string') indexWorkflowRunStatus(space, runId, status);
}

/** Mirrors a run's status into the space index (what the agent host reads to find runs to drive). */
export function indexWorkflowRunStatus(space: Y.Doc, runId: string, status: RunStatus): void {
  const index = runIndexMap(space);
  const entry = index.get(runId);
  if (entry && entry.status !== status) index.set(runId, { ...entry, status });
}

/** Every run in the index (the agent host's inbox), newest first. */
export function listAllWorkflowRuns(space: Y.Doc): WorkflowRunIndexEntry[] {
  return [...runIndexMap(space).values()].sort((a, b) => b.createdAt - a.createdAt);
}

/** Runs started from a session, newest first. */
export function listWorkflowRuns(space: Y.Doc, sessionId: string): WorkflowRunIndexEntry[] {
  return [...runIndexMap(space).values()]
    .filter((entry) => entry.sessionId === sessionId)
    .sort((a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : -1));
}

export function observeWorkflowRunIndex(space: Y.Doc, onChange: () => void): () => void {
  const map = runIndexMap(space);
  const handler = () => onChange();
  map.observe(handler);
  return () => map.unobserve(handler);
}

/** A finished result stored in this run's cache. */
export function getRunCachedResult(doc: Y.Doc, specHash: string): CachedAgentResult | undefined {
  return cacheMap(doc).get(specHash);
}

/** Opens another run's doc (loaded) for a cross-run cache lookup; release it when done. */
export type OpenRunDoc = (runId: string) => Promise<{ doc: Y.Doc; release(): void } | undefined>;

export interface YDocRunStoreOptions {
  /** The space doc: its workflowCache index finds results of other runs (any device, once synced). */
  space?: Y.Doc;
  openRunDoc?: OpenRunDoc;
}

/**
 * The engine's RunStore (workflows/src/engine/run-store.ts) over a `workflow-run:<id>` doc.
 * Structurally typed: shared/ cannot import the workflows package, and the unit test passes this
 * store to startWorkflow, which pins the two together.
 */
export class YDocRunStore {
  constructor(
    readonly doc: Y.Doc,
    private readonly options: YDocRunStoreOptions = {},
  ) {}

  async startAttempt(run: RunStart): Promise<{ priorStartOrder: string[] }> {
    const { doc } = this;
    const priorStartOrder = [...agentsMap(doc).values()].sort((a, b) => a.index - b.index).map((a) => a.specHash);
    doc.transact(() => {
      const map = runMap(doc);
      const attempts = ((map.get('attempts') as number | undefined) ?? 0) + 1;
      setFields(map, {
        runId: run.runId,
        scriptHash: run.scriptHash,
        meta: run.meta,
        cacheRule: run.cacheRule,
        budgetTotal: run.budgetTotal,
        startedAt: run.startedAt,
        status: 'running',
        attempts,
        spent: 0,
        outcome: undefined,
        stopAgentIds: undefined,
      });
      if (!map.has('args') && run.args !== undefined) map.set('args', JSON.stringify(run.args));
      agentsMap(doc).clear();
      activityMap(doc).clear();
      phasesArray(doc).delete(0, phasesArray(doc).length);
      logArray(doc).delete(0, logArray(doc).length);
    });
    return { priorStartOrder };
  }

  async getCachedResult(specHash: string): Promise<CachedAgentResult | undefined> {
    const own = cacheMap(this.doc).get(specHash);
    if (own) return own;
    const { space, openRunDoc } = this.options;
    if (!space || !openRunDoc) return undefined;
    const entry = getWorkflowCacheEntry(space, specHash);
    if (!entry || entry.runId === runMap(this.doc).get('runId')) return undefined;
    const other = await openRunDoc(entry.runId);
    if (!other) return undefined;
    try {
      return cacheMap(other.doc).get(specHash);
    } finally {
      other.release();
    }
  }

  async cacheResult(result: CachedAgentResult): Promise<void> {
    const { doc } = this;
    doc.transact(() => cacheMap(doc).set(result.specHash, result));
    const { space } = this.options;
    const runId = runMap(doc).get('runId');
    if (!space || typeof runId !== 'string') return;
    const agent = [...agentsMap(doc).values()].find((a) => a.specHash === result.specHash);
    space.transact(() =>
      putWorkflowCacheEntry(space, result.specHash, {
        runId,
        agentIndex: agent?.index ?? -1,
        finishedAt: agent?.endedAt ?? 0,
      }),
    );
  }

  async recordAgent(agent: AgentEntry): Promise<void> {
    const { doc } = this;
    doc.transact(() => agentsMap(doc).set(agent.id, withoutUndefined(agent)));
  }

  async recordPhase(title: string): Promise<void> {
    const { doc } = this;
    doc.transact(() => phasesArray(doc).push([title]));
  }

  async appendLog(line: LogLine): Promise<void> {
    const { doc } = this;
    doc.transact(() => logArray(doc).push([line]));
  }

  async recordBudget(spent: number): Promise<void> {
    const { doc } = this;
    doc.transact(() => runMap(doc).set('spent', spent));
  }

  async finishAttempt(outcome: RunOutcome): Promise<void> {
    const { doc } = this;
    doc.transact(() => setFields(runMap(doc), { outcome: withoutUndefined(outcome), status: outcome.status }));
    const runId = runMap(doc).get('runId');
    if (this.options.space && typeof runId === 'string')
      indexWorkflowRunStatus(this.options.space, runId, outcome.status);
  }
}

/** Y.Map values go through JSON-like encoding: drop undefined members instead of storing them. */
function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
