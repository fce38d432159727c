// One session as this tab sees it: it sends the user's message, and either hands the turn to the agent host
// (when one is connected that may drive this session: the tab writes the message as a queued turn and
// watches) or drives it here with the shared engine. Who drives is decided by the session's lease in the
// doc (shared/src/lease/driver-lease.ts): a turn whose driver is gone (tab closed, reload, crash, host
// killed) is resumed by the host or, with none, by the first tab that sees it. Approvals and Stop are doc
// writes any tab can make; whoever holds the lease acts on them.
import { AgentEngine, type EngineHooks, queueTurn, SessionBusyError } from '@boocode/shared/agent/agent-engine';
import type { AutoFix } from '@boocode/shared/agent/auto-fix';
import { realClock, type ToolExecutor } from '@boocode/shared/agent/engine-deps';
import { sessionStatusOf } from '@boocode/shared/agent/session-status';
import { outcomeInDoc, runChildTurn } from '@boocode/shared/agent/subagents/child-turn';
import type { ChildOutcome } from '@boocode/shared/agent/subagents/subagent-manager';
import { turnDemand } from '@boocode/shared/agent/turn-demand';
import { sessionDocName } from '@boocode/shared/doc/names';
import {
  getRunState,
  getSessionMeta,
  listMessages,
  observeRunState,
  requestTurnCancel,
  setSessionMeta,
} from '@boocode/shared/doc/session';
import type { ApprovalAnswer, Attachment } from '@boocode/shared/doc/session-schema';
import type { SessionStatus } from '@boocode/shared/doc/space';
import { answerSpanApproval, observeSpans } from '@boocode/shared/doc/spans';
import { newId } from '@boocode/shared/ids';
import type { ModelClient } from '@boocode/shared/model/model-client';
import type { ProviderId, StructuredOutputMode } from '@boocode/shared/model/providers';
import { hostMayDrive } from '@boocode/shared/protocol/host-presence';
import type * as Y from 'yjs';
import type { DocStore } from '../docs/doc-store.ts';
import { thisTabDriverId } from '../docs/driver-identity.ts';
import { judgeLease, presentHosts, takeLease } from '../docs/lease-seat.ts';

/** How often a watching tab checks whether a turn lost its driver. */
const TAKEOVER_CHECK_MS = 1500;
/** A turn handed to the host that no driver has taken after this long is driven here instead. */
const HANDOFF_MS = 4000;

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
  /** True while this tab runs a turn (it holds the lease). */
  driving: boolean;
  /** The last failure to start or resume, in words (model errors are on the messages). */
  problem?: string;
}

export interface SessionDriverOptions {
  doc: Y.Doc;
  sessionId: string;
  store: DocStore;
  /** Builds the model client and tools for a turn; throws an Error in words when it cannot. */
  setup(resume: boolean): Promise<TurnSetup>;
  /**
   * Records this device's model choice on the session before its turn may be handed to the agent host (which
   * has no device settings); throws an Error in words when no model is chosen.
   */
  recordModel(): Promise<void>;
  /** Mirrors the run status into the session index (the list shows it). */
  onStatus?(status: SessionStatus): void;
}

/** Engines running in this tab: a page that unloads lets go of them without writing (see abandonAllHere). */
const liveEngines = new Set<AgentEngine>();

/**
 * The page is going away (reload, close, navigation): every engine of this tab lets go without writing an
 * error, so the turn stays resumable and the next driver (the reloaded tab, another tab, the host) resumes it.
 */
export function abandonAllHere(): void {
  for (const engine of liveEngines) engine.abandon();
}

export class SessionDriver {
  private engine: AgentEngine | undefined;
  private state: DriverState = { driving: false };
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private offDoc: (() => void) | undefined;
  private disposed = false;
  private starting = false;
  /** The check in flight, so a second caller waits for it instead of starting another. */
  private checking: Promise<void> | undefined;
  /** When this tab handed a turn to the host: past HANDOFF_MS with no driver, it drives the turn itself. */
  private handedOffAt: number | undefined;

  constructor(private readonly opts: SessionDriverOptions) {}

  getState = (): DriverState => this.state;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Starts watching for turns that need a driver (now, on every run-state change, and every little while). */
  start(): void {
    const { doc } = this.opts;
    const offRun = observeRunState(doc, () => void this.check());
    // An approval answered in another tab or device may make a stopped turn drivable again.
    const offSpans = observeSpans(doc, () => {
      if (turnDemand(doc) === 'answered') void this.check();
    });
    this.offDoc = () => {
      offRun();
      offSpans();
    };
    void this.check();
    this.timer = setInterval(() => void this.check(), TAKEOVER_CHECK_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    this.offDoc?.();
    // The registry disposes only an idle driver; should a turn still run, stop it cleanly (spans close as cancelled).
    this.engine?.cancel();
  }

  /** Sends the user's message: handed to the agent host when one may drive this session, else driven here. */
  async send(text: string, attachments?: Attachment[], replaces?: number): Promise<void> {
    const input = { text, attachments: attachments?.length ? attachments : undefined, replaces };
    if (this.hostForThisSession() && !this.engine && !this.starting) {
      try {
        await this.opts.recordModel();
      } catch (e) {
        this.set({ driving: false, problem: e instanceof Error ? e.message : String(e) });
        return;
      }
    }
    // Asked again now the model is on the session: the host must be able to call it.
    if (this.hostForThisSession() && !this.engine && !this.starting) {
      queueTurn(this.opts.doc, input, { clock: realClock, newId: (p) => newId(p) });
      this.handedOffAt = Date.now();
      this.opts.onStatus?.('queued');
      this.set({ driving: false, problem: undefined });
      return;
    }
    await this.drive((engine) => engine.runTurn(input));
  }

  /**
   * Asks the last turn's prompt again as a new turn (Retry after a failure, Regenerate after an answer): the
   * old turn stays as an alternative the user can flip back to, and the model no longer sees it.
   */
  async askAgain(): Promise<void> {
    // The latest prompt that stands (after a flip back, an older turn of the group may be the current one).
    const prompt = listMessages(this.opts.doc).findLast((m) => m.role === 'user' && !m.superseded);
    if (!prompt) return;
    await this.send(prompt.text, prompt.attachments, prompt.turn);
  }

  /** Stops the turn: here if this tab drives it, else by asking its driver (host or another tab) in the doc. */
  stop(): void {
    // Always in the doc as well: an engine here may be one still taking the lease (it drives nothing yet),
    // and the request reaches whoever does drive. It names the turn, so it never stops a later one.
    requestTurnCancel(this.opts.doc);
    this.engine?.cancel();
  }

  /** The user's answer to a call waiting for approval (before it runs, or "Run again?" after a crash). */
  answerApproval(spanId: string, answer: ApprovalAnswer): void {
    answerSpanApproval(this.opts.doc, spanId, answer, thisTabDriverId(), Date.now());
    void this.check();
  }

  /**
   * Runs a subagent's turn in this (child) session and says how it ended. A child whose turn already started
   * is resumed, never prompted again.
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
    if (!busyHere) return { status: 'elsewhere' };
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

  /** An agent host present that may drive this session (any host a chat, its workspace's host a coder one). */
  private hostForThisSession(): boolean {
    const meta = getSessionMeta(this.opts.doc);
    if (!meta) return false;
    const session = {
      kind: meta.kind,
      workspace: meta.workspace,
      provider: meta.provider,
      direct: !!meta.modelBaseUrl,
    };
    return presentHosts(this.opts.store).some((h) => hostMayDrive(h, session));
  }

  /** Drives the turn here if it needs a driver and this tab should be it; resolves when that turn ends. */
  driveIfNeeded(): Promise<void> {
    return this.check();
  }

  /** Drives the turn here when it needs a driver and this tab should be it (see the module comment). */
  private check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    if (this.disposed || this.engine || this.starting) return;
    const demand = turnDemand(this.opts.doc);
    if (demand === 'none') {
      this.handedOffAt = undefined;
      return;
    }
    // With a host connected, the host drives; a queued turn it has not taken in time falls back to this tab.
    if (this.hostForThisSession()) {
      const waited = this.handedOffAt !== undefined && Date.now() - this.handedOffAt > HANDOFF_MS;
      if (!(demand === 'queued' && waited)) return;
    }
    const docName = sessionDocName(this.opts.sessionId);
    const verdict = await judgeLease(this.opts.store, docName, this.opts.doc, 'turn');
    if (verdict !== 'free' && verdict !== 'abandoned' && verdict !== 'mine') return;
    // "Mine" while another engine of this tab runs the turn (a workflow agent, a subagent): it drives; the
    // session view only follows. Taking it here would cut that engine off and end its turn twice.
    if (verdict === 'mine' && [...liveEngines].some((e) => e.drivesNow(this.opts.doc))) return;
    this.handedOffAt = undefined;
    await this.drive((engine) => engine.resume(), true);
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
      setup = await this.opts.setup(quietWhenBusy);
    } catch (e) {
      this.set({ driving: false, problem: e instanceof Error ? e.message : String(e) });
      return;
    } finally {
      this.starting = false;
    }
    if (this.disposed) return;
    const { doc, store, sessionId } = this.opts;
    const engine = createSessionEngine(doc, setup, store, sessionDocName(sessionId));
    this.engine = engine;
    liveEngines.add(engine);
    this.set({ driving: true, problem: undefined });
    // The list shows a call waiting for the user as such, whichever tab looks.
    let mirrored: SessionStatus | undefined;
    const mirror = () => {
      const status = sessionStatusOf(doc);
      if (status === mirrored) return;
      mirrored = status;
      this.opts.onStatus?.(status);
    };
    const offMirror = observeSpans(doc, mirror);
    // A resume keeps the session's recorded model; a new turn records the one it runs with.
    if (!quietWhenBusy) setSessionMeta(doc, { model: setup.model, provider: setup.provider });
    try {
      await run(engine);
      this.set({ driving: false, problem: undefined });
    } catch (e) {
      if (e instanceof SessionBusyError) this.set({ driving: false, problem: quietWhenBusy ? undefined : e.message });
      else this.set({ driving: false, problem: e instanceof Error ? e.message : String(e) });
    } finally {
      offMirror();
      liveEngines.delete(engine);
      this.engine = undefined;
      this.opts.onStatus?.(sessionStatusOf(doc));
      this.set({ ...this.state, driving: false });
    }
  }

  private set(next: DriverState) {
    this.state = next;
    for (const fn of this.listeners) fn();
  }
}

/**
 * The engine for one session driven from this tab: its lease claimed through the doc store (this tab's
 * driver id). Also used for workflow agents and subagents.
 */
export function createSessionEngine(doc: Y.Doc, setup: TurnSetup, store: DocStore, docName: string): AgentEngine {
  const engine = new AgentEngine(
    {
      doc,
      model: setup.client,
      tools: setup.tools,
      clock: realClock,
      newId: (prefix) => newId(prefix),
      driverId: thisTabDriverId(),
      seat: { take: (d) => takeLease(store, docName, d, 'turn') },
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
  return engine;
}

/** Keeps an engine this module did not start (a workflow agent) in the set a page unload abandons. */
export function trackEngine(engine: AgentEngine): () => void {
  liveEngines.add(engine);
  return () => liveEngines.delete(engine);
}
