// Drives one session's agent from this tab, or watches another tab drive it. The tab that sends holds
// the session's Web Lock (the engine takes it) and runs the engine; every other tab only reads the doc.
// When the doc says a turn is running (or was interrupted) but nobody holds the lock, the driver died
// (tab closed, reload, crash): this tab takes the lock and resumes, so the turn finishes exactly once.
import { AgentEngine, type EngineHooks, needsResume, SessionBusyError } from '@boocode/shared/agent/agent-engine';
import type { AutoFix } from '@boocode/shared/agent/auto-fix';
import { realClock, type ToolExecutor } from '@boocode/shared/agent/engine-deps';
import { outcomeInDoc, runChildTurn } from '@boocode/shared/agent/subagents/child-turn';
import type { ChildOutcome } from '@boocode/shared/agent/subagents/subagent-manager';
import { webSessionLock } from '@boocode/shared/agent/web-session-lock';
import { getRunState, getSessionMeta, setSessionMeta } from '@boocode/shared/doc/session';
import type { Attachment } from '@boocode/shared/doc/session-schema';
import type { SessionStatus } from '@boocode/shared/doc/space';
import { listSnapshots, listSpans } from '@boocode/shared/doc/spans';
import { newId } from '@boocode/shared/ids';
import type { ModelClient } from '@boocode/shared/model/model-client';
import type { ProviderId, StructuredOutputMode } from '@boocode/shared/model/providers';
import type * as Y from 'yjs';
import { DriverLiveness, deviceOfDriver, driverIdOf, thisDeviceId } from '../docs/driver-liveness.ts';
import { ApprovalQueue } from '../runner/approval-queue.ts';
import { ApprovalRelay, approvalChannelName } from '../runner/approval-relay.ts';

const LOCK_PREFIX = 'boocode-session:';
/** How often a watching tab checks whether a running turn lost its driver. */
const TAKEOVER_CHECK_MS = 1500;

/** What a turn needs from this device's settings; resolved at the moment the turn starts. */
export interface TurnSetup {
  model: string;
  provider: ProviderId;
  client: ModelClient;
  tools?: ToolExecutor;
  systemPrompt: string;
  /** This device's attachment bytes by SHA-256 (Dexie blobs), for image and text parts. */
  loadBlob?: (sha256: string) => Promise<Uint8Array | undefined>;
  /** False when the model takes no images (they go as a note); undefined when unknown. */
  vision?: boolean;
  /** How a turn with a JSON Schema asks this provider (response_format, a forced tool call, or words). */
  structuredOutput?: StructuredOutputMode;
  /** The build check after write turns (coder sessions with a runner); its failures feed the next turn. */
  autoFix?: AutoFix;
  /** Engine hooks (the subagent manager delivers finished children's results at turn boundaries). */
  hooks?: EngineHooks;
}

export interface DriverState {
  /** True while this tab runs a turn (it holds the lock). */
  driving: boolean;
  /** The last failure to start or resume, in words (model errors are on the messages). */
  problem?: string;
}

export interface SessionDriverOptions {
  doc: Y.Doc;
  sessionId: string;
  /** Builds the model client and tools for a turn; throws an Error in words when it cannot. */
  setup(approvals: ApprovalQueue, resume: boolean): Promise<TurnSetup>;
  /** Mirrors the run status into the session index (the list shows it). */
  onStatus?(status: SessionStatus): void;
}

/** This tab as a driver: its device first, so a tab on another device can tell the turn is not its device's. */
const TAB_ID = driverIdOf(newId('tab'));
/** Heartbeats of turns driven on other devices, as this tab has seen them change. */
const liveness = new DriverLiveness(thisDeviceId());

export class SessionDriver {
  readonly approvals = new ApprovalQueue();
  private engine: AgentEngine | undefined;
  private state: DriverState = { driving: false };
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private disposed = false;
  private starting = false;
  /** The abandoned-looking run state seen at the last check (see takeOverIfAbandoned). */
  private suspect: string | undefined;

  /** The approvals shown in this tab: its own, and those another tab driving this session waits on. */
  readonly relay: ApprovalRelay;

  constructor(private readonly opts: SessionDriverOptions) {
    this.relay = new ApprovalRelay(this.approvals, approvalChannelName(opts.sessionId));
    // A call waiting for the user shows in the list (and the Agents pane, and notifications) as waiting.
    this.approvals.subscribe(() => {
      if (this.engine) opts.onStatus?.(this.approvals.list().length ? 'waiting-approval' : 'running');
    });
  }

  getState = (): DriverState => this.state;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Starts watching for an abandoned turn (now and every little while). */
  start(): void {
    void this.takeOverIfAbandoned();
    this.timer = setInterval(() => void this.takeOverIfAbandoned(), TAKEOVER_CHECK_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    this.relay.close();
    // The registry disposes only an idle driver; should a turn still run, stop it cleanly (spans close as cancelled).
    this.engine?.cancel();
  }

  async send(text: string, attachments?: Attachment[]): Promise<void> {
    await this.drive((engine) => engine.runTurn({ text, attachments: attachments?.length ? attachments : undefined }));
  }

  stop(): void {
    this.engine?.cancel();
  }

  /**
   * Runs a subagent's turn in this (child) session, with this driver's approvals (so any tab showing the child
   * can answer them), and says how it ended. A child whose turn already started is resumed, never prompted again.
   */
  async runSubagent(prompt: string, signal: AbortSignal): Promise<ChildOutcome> {
    const { doc } = this.opts;
    let outcome: ChildOutcome | undefined;
    const fresh = getRunState(doc).turn === 0;
    const busyHere = !!(this.engine || this.starting);
    if (!busyHere)
      await this.drive(async (engine) => {
        outcome = await runChildTurn(engine, doc, prompt, signal);
      }, !fresh);
    if (outcome) return outcome;
    if (!busyHere && !this.engine && this.state.problem)
      return { status: 'failed', error: { code: 'SUBAGENT_SETUP', message: this.state.problem } };
    // This tab was already driving it (it took over an abandoned turn): wait for that turn, then read its end.
    await new Promise<void>((resolve) => {
      const check = () => {
        if (this.engine || this.starting) return;
        off();
        resolve();
      };
      const off = this.subscribe(check);
      check();
    });
    return getRunState(doc).status === 'waiting-approval' ? { status: 'waiting-approval' } : outcomeInDoc(doc);
  }

  /** The user's answer for a call that was interrupted by a crash and is not safe to re-run unasked. */
  async resolveApproval(spanId: string, decision: 'approve' | 'deny'): Promise<void> {
    const call = listSpans(this.opts.doc).find((s) => s.id === spanId)?.toolCallId;
    // Clicking "Run again" is the approval: the executor must not ask a second time for the same call.
    if (decision === 'approve' && call) this.approvals.preApprove(call);
    await this.drive((engine) => engine.resolveApproval(spanId, decision));
  }

  /** Resumes a turn whose driver is gone: the run says running/interrupted and the lock is free. */
  async takeOverIfAbandoned(): Promise<void> {
    if (this.disposed || this.engine || this.starting) return;
    const run = getRunState(this.opts.doc);
    const device = deviceOfDriver(run.driver);
    const abandoned =
      (run.status === 'running' || run.status === 'interrupted') &&
      // Web Locks see only this device's tabs: a turn driven on another device lives while its heartbeat moves.
      !(run.status === 'running' && device && device !== thisDeviceId()
        ? liveness.drivenElsewhere(this.sessionKey(), { device, at: run.heartbeatAt ?? 0 })
        : false) &&
      // With Web Locks the lock says whether the driver lives; without them only a stale heartbeat can.
      (navigator.locks ? !(await this.lockHeld()) : needsResume(this.opts.doc, Date.now()));
    if (!abandoned) {
      this.suspect = undefined;
      return;
    }
    // A driver that just finished releases its lock before this tab's copy of the doc has its last updates
    // (they cross tabs through IndexedDB): "running and unlocked" must hold on two checks, with no heartbeat
    // between them, before this tab resumes, or it would resume a finished turn from a stale copy.
    const seen = `${run.status}:${run.turn}:${run.heartbeatAt ?? 0}`;
    if (this.suspect !== seen) {
      this.suspect = seen;
      return;
    }
    this.suspect = undefined;
    await this.drive((engine) => engine.resume(), true);
  }

  private lockHeld(): Promise<boolean> {
    return sessionLockHeld(this.sessionKey());
  }

  private sessionKey(): string {
    return getSessionMeta(this.opts.doc)?.id ?? this.opts.doc.guid;
  }

  private async drive(run: (engine: AgentEngine) => Promise<unknown>, quietWhenBusy = false): Promise<void> {
    // One start at a time: a takeover still preparing must not let a send slip in beside it (or the reverse).
    if (this.engine || this.starting) {
      if (!quietWhenBusy) this.set({ ...this.state, problem: 'This tab is already running a turn of this session.' });
      return;
    }
    this.starting = true;
    let setup: TurnSetup;
    try {
      setup = await this.opts.setup(this.approvals, quietWhenBusy);
    } catch (e) {
      this.set({ driving: false, problem: e instanceof Error ? e.message : String(e) });
      return;
    } finally {
      this.starting = false;
    }
    if (this.disposed) return;
    const { doc } = this.opts;
    const engine = createSessionEngine(doc, setup);
    this.engine = engine;
    this.relay.clearRemote();
    this.set({ driving: true, problem: undefined });
    this.opts.onStatus?.('running');
    // A resume keeps the session's recorded model; a new turn records the one it runs with.
    if (!quietWhenBusy) setSessionMeta(doc, { model: setup.model, provider: setup.provider });
    try {
      await run(engine);
      this.set({ driving: false, problem: undefined });
    } catch (e) {
      if (e instanceof SessionBusyError) this.set({ driving: false, problem: quietWhenBusy ? undefined : e.message });
      else this.set({ driving: false, problem: e instanceof Error ? e.message : String(e) });
    } finally {
      this.engine = undefined;
      this.opts.onStatus?.(statusOf(doc));
      this.set({ ...this.state, driving: false });
    }
  }

  private set(next: DriverState) {
    this.state = next;
    for (const fn of this.listeners) fn();
  }
}

/** The engine for one session driven from this tab (its Web Lock, this tab's id); also used for workflow agents. */
export function createSessionEngine(doc: Y.Doc, setup: TurnSetup): AgentEngine {
  return new AgentEngine(
    {
      doc,
      model: setup.client,
      tools: setup.tools,
      clock: realClock,
      newId: (prefix) => newId(prefix),
      driverId: TAB_ID,
      lock: webSessionLock(LOCK_PREFIX),
      loadBlob: setup.loadBlob,
      autoFix: setup.autoFix,
    },
    {
      model: setup.model,
      provider: setup.provider,
      systemPrompt: setup.systemPrompt,
      vision: setup.vision,
      structuredOutput: setup.structuredOutput,
    },
    setup.hooks,
  );
}

/** True while some tab of this origin drives the session (holds its Web Lock). */
export async function sessionLockHeld(sessionId: string): Promise<boolean> {
  return (await heldSessionLocks()).has(sessionId);
}

/** Ids of the sessions some tab of this origin drives right now. */
export async function heldSessionLocks(): Promise<Set<string>> {
  const snapshot = await navigator.locks.query();
  return new Set(
    (snapshot.held ?? []).flatMap((l) => (l.name?.startsWith(LOCK_PREFIX) ? [l.name.slice(LOCK_PREFIX.length)] : [])),
  );
}

/** The list's status for a session after a turn: a failed or stopped last turn shows as such. */
function statusOf(doc: Y.Doc): SessionStatus {
  const run = getRunState(doc).status;
  if (run === 'waiting-approval' || run === 'running') return run;
  const outcome = listSnapshots(doc).at(-1)?.outcome;
  return outcome === 'error' ? 'failed' : outcome === 'cancelled' ? 'cancelled' : 'idle';
}
