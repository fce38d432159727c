// The agent engine: runs a session's turns against a model and tools, recording everything in the session
// doc as it happens. The doc is the only state: every step first asks the doc what the turn needs next
// (`nextAction`), so a resume after the driver died takes the same path as a fresh run and never
// duplicates a message or silently re-runs a tool that was not read-only. Whoever runs it (a tab, the agent
// host) holds the session's lease through `deps.seat`; a driver that loses it, or whose page unloads, lets go
// without writing (`abandon`), and the next driver resumes from the doc.
import type * as Y from 'yjs';
import { supersedeForReask } from '../doc/alternatives.ts';
import {
  appendMessage,
  getRunState,
  listMessages,
  markMessageIncomplete,
  observeRunState,
  setRunState,
  truncateMessages,
  updateMessage,
} from '../doc/session.ts';
import type { Attachment, Message, OutputSpec, ToolCall } from '../doc/session-schema.ts';
import { answerSpanApproval, appendSnapshot, askSpanApproval, listSpans } from '../doc/spans.ts';
import type { HeldLease } from '../lease/driver-lease.ts';
import type { AbortSignalLike } from '../model/model-client.ts';
import { modelPrice } from '../model/providers.ts';
import { loadAttachmentBytes } from './attachment-parts.ts';
import { runAutoFixCheck } from './auto-fix.ts';
import { buildChatRequest, historyNotes } from './chat-request.ts';
import { type AgentConfig, type AgentDeps, DEFAULTS } from './engine-deps.ts';
import { runModelStep, type StepContext } from './model-step.ts';
import {
  closeInterruptedSpans,
  DECLINED_ERROR,
  DECLINED_TEXT,
  declineWaitingReruns,
  RERUN_REASON,
} from './resume-step.ts';
import { ABANDONED, createStopSource, isAbandoned, type StopSource } from './stop-signal.ts';
import { effectiveMode, promptWithSchemaInWords } from './structured-request.ts';
import { appendToolMessage, isReadOnlyTool, runToolCall } from './tool-step.ts';
import { buildSnapshot } from './turn-snapshot.ts';
import { nextAction, stepsTaken } from './turn-state.ts';

/** `abandoned`: this driver let go mid-turn (page unloading, lease lost); the doc says what is left to do. */
export type TurnOutcome = 'ok' | 'error' | 'cancelled' | 'step-limit' | 'waiting-approval' | 'abandoned';

export interface TurnResult {
  turn: number;
  outcome: TurnOutcome;
  error?: { code: string; message: string };
  /** Span ids of interrupted, non-read-only tool calls that need the user's approval to re-run. */
  pendingApprovals?: string[];
}

/** Another driver (a tab, the agent host) runs this session; this one should watch the doc instead. */
export class SessionBusyError extends Error {
  override readonly name = 'SessionBusyError';
  readonly code = 'SESSION_BUSY';
  constructor() {
    super('Another tab or the agent host is running this session; this tab follows it.');
  }
}

/**
 * Writes the user's message as a new turn that waits for a driver (run status `queued`): a tab hands the
 * turn to the agent host this way, and any driver takes it up with `resume()`.
 */
export function queueTurn(doc: AgentDeps['doc'], input: TurnInput, deps: Pick<AgentDeps, 'clock' | 'newId'>): number {
  const turn = getRunState(doc).turn + 1;
  doc.transact(() => {
    declineWaitingReruns(doc, deps);
    const alternativeOf = reaskGroup(doc, input);
    setRunState(doc, { turn, status: 'queued' });
    appendMessage(doc, {
      alternativeOf,
      id: deps.newId('msg'),
      role: 'user',
      turn,
      createdAt: deps.clock.now(),
      text: input.text,
      attachments: input.attachments,
    });
  });
  return turn;
}

/** A new turn's prompt; with `replaces`, it asks that turn's prompt again (Retry, Regenerate). */
export interface TurnInput {
  text: string;
  attachments?: Attachment[];
  output?: OutputSpec;
  /** The turn this one asks again: it is marked superseded (left out of the history), kept to flip back to. */
  replaces?: number;
}

/** Leaves the replaced turn out of the history; the group the new turn joins (undefined for a fresh prompt). */
function reaskGroup(doc: AgentDeps['doc'], input: TurnInput): number | undefined {
  return input.replaces === undefined ? undefined : supersedeForReask(doc, listMessages(doc), input.replaces);
}

export interface RunOptions {
  signal?: AbortSignalLike;
}

/** Optional extension points of the engine; each is called inside the driver seat. */
export interface EngineHooks {
  /**
   * Called at each turn boundary (before a new turn's user message, and after a tool round before the next
   * model call), so messages that arrived meanwhile (finished subagents) reach the model without polling.
   */
  atTurnBoundary?: (doc: AgentDeps['doc'], turn: number) => void;
}

export class AgentEngine {
  private readonly config: StepContext['config'] & { maxSteps: number };
  private current: StopSource | undefined;
  private lease: HeldLease | undefined;

  constructor(
    private readonly deps: AgentDeps,
    config: AgentConfig,
    private readonly hooks: EngineHooks = {},
  ) {
    this.config = {
      ...config,
      maxSteps: config.maxSteps ?? DEFAULTS.maxSteps,
      maxRetries: config.maxRetries ?? DEFAULTS.maxRetries,
      maxRetryWaitMs: config.maxRetryWaitMs ?? DEFAULTS.maxRetryWaitMs,
      flushMs: config.flushMs ?? DEFAULTS.flushMs,
      spanTextCap: config.spanTextCap ?? DEFAULTS.spanTextCap,
      price: config.price ?? (config.provider ? modelPrice(config.provider, config.model) : undefined),
    };
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Whether this engine is running a turn of `doc` now (another engine of the same driver must keep out). */
  drivesNow(doc: Y.Doc): boolean {
    return this.current !== undefined && this.deps.doc === doc;
  }

  /** Stops the running turn: the stream and the running tool end, their spans close as `cancelled`. */
  cancel(): void {
    this.current?.stop('cancelled');
  }

  /**
   * Lets go of the running turn without writing anything more (the page is unloading): the stream and the
   * tool stop, their spans stay open, the lease is freed, and the next driver resumes the turn from the doc.
   */
  abandon(): void {
    this.current?.stop(ABANDONED);
  }

  /**
   * Appends the user's message as a new turn and runs it until the model stops calling tools. With `output`,
   * the answer is asked to match that JSON Schema, the way the provider honours it (config.structuredOutput).
   */
  runTurn(input: TurnInput, opts: RunOptions = {}): Promise<TurnResult> {
    return this.withDriver(opts, async (ctx) => {
      const { doc, clock, newId } = this.deps;
      declineWaitingReruns(doc, this.deps);
      const turn = getRunState(doc).turn + 1;
      this.hooks.atTurnBoundary?.(doc, turn);
      doc.transact(() => {
        const alternativeOf = reaskGroup(doc, input);
        setRunState(doc, { turn });
        appendMessage(doc, {
          alternativeOf,
          id: newId('msg'),
          role: 'user',
          turn,
          createdAt: clock.now(),
          // In words, the schema is part of the prompt, and the doc shows what the model was asked.
          text:
            input.output && effectiveMode(this.structuredMode(), input.output) === 'words'
              ? promptWithSchemaInWords(input.text, input.output)
              : input.text,
          attachments: input.attachments,
          output: input.output,
        });
      });
      return this.drive(ctx, turn);
    });
  }

  /**
   * Drives whatever the doc says the current turn needs: a queued turn (a message handed over by another tab),
   * a turn whose driver died (open spans become `interrupted`, a half-streamed answer is asked for again, a
   * read-only tool in flight re-runs, any other asks the user first), or calls the user has answered since.
   * Returns undefined when there was nothing to do.
   */
  async resume(opts: RunOptions = {}): Promise<TurnResult | undefined> {
    const { doc } = this.deps;
    const run = getRunState(doc);
    const pending = run.pendingApprovals ?? [];
    if (run.status === 'waiting-approval' && !this.answeredReruns(pending).length)
      return { turn: run.turn, outcome: 'waiting-approval', pendingApprovals: pending };
    const unfinished = listSpans(doc).some((s) => s.status === 'open' || s.status === 'awaiting-approval');
    const action = nextAction(listMessages(doc), run.turn);
    if (!unfinished && action.kind === 'done' && run.status === 'idle') return undefined;
    return this.withDriver(opts, async (ctx) => {
      closeInterruptedSpans(doc, this.deps.clock.now());
      // Settle the interrupted calls the user answered ("Run again" / "Skip") before anything else.
      for (const spanId of this.answeredReruns(getRunState(doc).pendingApprovals ?? [])) {
        if (ctx.signal.aborted) break;
        const found = this.pendingCall(spanId);
        const answer = listSpans(doc).find((s) => s.id === spanId)?.approval?.answer;
        if (!found || !answer) continue;
        if (answer === 'deny') this.declineCall(ctx, found.turn, found.call);
        else if (
          (await runToolCall(ctx, found.turn, found.assistant.id, found.call, { approved: true })) === 'abandoned'
        )
          return { turn: found.turn, outcome: 'abandoned' };
      }
      return this.drive(ctx, getRunState(doc).turn);
    });
  }

  /**
   * The user's answer for an interrupted tool call, written into the doc (where any tab could have written
   * it), then acted on: re-run it, or tell the model it was not re-run.
   */
  async resolveApproval(spanId: string, decision: 'approve' | 'deny', opts: RunOptions = {}): Promise<TurnResult> {
    // Checked before taking the driver seat, so a stale approval leaves the run state untouched.
    if (!this.pendingCall(spanId)) throw new Error(`resolveApproval: span ${spanId} is not awaiting approval`);
    const { doc, clock, driverId } = this.deps;
    answerSpanApproval(doc, spanId, decision, driverId, clock.now());
    return (await this.resume(opts)) ?? { turn: getRunState(doc).turn, outcome: 'ok' };
  }

  /** Interrupted calls awaiting the user whose answer is now in the doc. */
  private answeredReruns(pending: string[]): string[] {
    const spans = listSpans(this.deps.doc);
    return pending.filter((id) => spans.find((s) => s.id === id)?.approval?.answer !== undefined);
  }

  private async withDriver(opts: RunOptions, fn: (ctx: StepContext) => Promise<TurnResult>): Promise<TurnResult> {
    if (this.current) throw new Error('AgentEngine: a turn is already running on this engine');
    const stop = createStopSource(opts.signal);
    this.current = stop;
    const { doc, clock, driverId, seat } = this.deps;
    const lease = seat ? await seat.take(doc).catch(() => undefined) : undefined;
    if (seat && !lease) {
      this.current = undefined;
      throw new SessionBusyError();
    }
    this.lease = lease;
    // Another driver won the lease: let go at once, writing nothing more.
    lease?.lost.addEventListener('abort', () => {
      if (lease.lost.reason !== 'released') stop.stop(ABANDONED);
    });
    const stopBeating = lease?.startBeating(clock, seat?.beatMs);
    const wasQueued = getRunState(doc).status === 'queued';
    setRunState(doc, { status: 'running', driver: driverId });
    // A stop asked for from another tab or device (the Stop button where this driver is not) ends the turn.
    // A request names its turn, so one left from an earlier turn never stops a later one.
    const checkCancel = () => {
      const run = getRunState(doc);
      if (run.cancelRequested === run.turn && !stop.signal.aborted) stop.stop('cancelled');
    };
    const offCancel = observeRunState(doc, checkCancel);
    // Stopped while it waited for a driver (a queued turn): it ends cancelled as soon as one takes it.
    if (wasQueued) checkCancel();
    try {
      return await fn({ deps: this.deps, config: this.config, signal: stop.signal });
    } finally {
      offCancel();
      stopBeating?.();
      lease?.release();
      this.lease = undefined;
      this.current = undefined;
    }
  }

  /** Rule 5 of the lease: before each step, the lease must still name this driver. */
  private stillDriving(ctx: StepContext): boolean {
    if (this.lease && !this.lease.stillMine() && !ctx.signal.aborted) this.current?.stop(ABANDONED);
    return !isAbandoned(ctx.signal);
  }

  private async drive(ctx: StepContext, turn: number): Promise<TurnResult> {
    const { doc } = this.deps;
    for (;;) {
      if (!this.stillDriving(ctx)) return { turn, outcome: 'abandoned' };
      const messages = listMessages(doc);
      const action = nextAction(messages, turn);
      if (action.kind === 'done') {
        const outcome = action.reason === 'error' ? 'error' : action.reason === 'cancelled' ? 'cancelled' : 'ok';
        const last = [...messages].reverse().find((m) => m.turn === turn && m.role === 'assistant');
        if (outcome === 'ok' && this.deps.autoFix) {
          const fix = await runAutoFixCheck(ctx, turn, this.deps.autoFix, () => this.finish(turn, 'ok', []));
          if (fix.kind === 'cancelled') return this.finish(turn, 'cancelled', []);
          // The build failed: its errors are the next turn's message, which runs now (same driver seat, same signal).
          if (fix.kind === 'retry') return this.drive(ctx, fix.turn);
        }
        return this.finish(turn, outcome, [], outcome === 'error' ? last?.error : undefined);
      }
      if (action.kind === 'model') {
        if (!action.partial && stepsTaken(messages, turn) >= this.config.maxSteps) return this.stopAtStepLimit(turn);
        if (!action.partial && messages.at(-1)?.role === 'tool') this.hooks.atTurnBoundary?.(doc, turn);
        const messageId = this.prepareAssistantMessage(turn, action.partial);
        const history = listMessages(doc);
        const output = outputOfTurn(history, turn);
        const request = buildChatRequest(history, {
          model: this.config.model,
          systemPrompt: this.systemPrompt(),
          tools: this.deps.tools?.definitions(),
          attachmentBytes: await loadAttachmentBytes(history, this.deps.loadBlob),
          vision: this.config.vision,
          output,
          structuredOutput: this.structuredMode(),
        });
        const r = await runModelStep(ctx, turn, messageId, request, { output, history: historyNotes(history) });
        if (r.kind === 'abandoned') return { turn, outcome: 'abandoned' };
        if (r.kind === 'cancelled') return this.finish(turn, 'cancelled', []);
        if (r.kind === 'error') return this.finish(turn, 'error', [], { code: r.error.code, message: r.error.message });
        continue;
      }
      const pending = await this.runTools(ctx, turn, action.assistant, action.calls);
      if (isAbandoned(ctx.signal)) return { turn, outcome: 'abandoned' };
      if (ctx.signal.aborted) {
        this.answerUnresolved(ctx, turn, action.calls, 'Cancelled by the user before it ran.');
        return this.finish(turn, 'cancelled', []);
      }
      if (pending.length) return this.finish(turn, 'waiting-approval', pending);
    }
  }

  /** Runs the calls in order; returns span ids of interrupted non-read-only calls that need approval. */
  private async runTools(ctx: StepContext, turn: number, assistant: Message, calls: ToolCall[]): Promise<string[]> {
    const defs = this.deps.tools?.definitions() ?? [];
    const spans = listSpans(this.deps.doc).filter((s) => s.kind === 'tool');
    const pending: string[] = [];
    for (const call of calls) {
      if (!this.stillDriving(ctx) || ctx.signal.aborted) break;
      const last = spans.filter((s) => s.toolCallId === call.id).at(-1);
      const neverRan = last?.status === 'interrupted' && last.error?.code === 'not-started';
      if (last?.status === 'interrupted' && !neverRan && !isReadOnlyTool(defs, call.name)) {
        // It may have taken effect before the driver died: never re-run it without asking (in the doc). The
        // user's earlier "Approve" was to run it once; the re-run is a question of its own.
        if (last.approval?.kind !== 'rerun')
          askSpanApproval(this.deps.doc, last.id, {
            kind: 'rerun',
            reason: RERUN_REASON,
            canAlwaysAllow: false,
            askedAt: this.deps.clock.now(),
          });
        pending.push(last.id);
        continue;
      }
      // A call that waited for the user when its driver stopped never ran: ask again, or use the answer given since.
      const earlierAnswer = neverRan ? last.approval?.answer : undefined;
      const outcome = await runToolCall(ctx, turn, assistant.id, call, earlierAnswer ? { earlierAnswer } : {});
      if (outcome === 'cancelled' || outcome === 'abandoned') break;
    }
    return pending;
  }

  private pendingCall(spanId: string): { turn: number; assistant: Message; call: ToolCall } | undefined {
    const { doc } = this.deps;
    const span = listSpans(doc).find((s) => s.id === spanId);
    if (!span?.toolCallId) return undefined;
    const action = nextAction(listMessages(doc), span.turn);
    if (action.kind !== 'tools') return undefined;
    const call = action.calls.find((c) => c.id === span.toolCallId);
    return call ? { turn: span.turn, assistant: action.assistant, call } : undefined;
  }

  private declineCall(ctx: StepContext, turn: number, call: ToolCall): void {
    appendToolMessage(ctx, turn, call.id, DECLINED_TEXT, 'cancelled', DECLINED_ERROR);
  }

  private answerUnresolved(ctx: StepContext, turn: number, calls: ToolCall[], text: string): void {
    const answered = new Set(
      listMessages(this.deps.doc)
        .filter((m) => m.role === 'tool')
        .map((m) => m.toolCallId),
    );
    for (const c of calls)
      if (!answered.has(c.id))
        appendToolMessage(ctx, turn, c.id, text, 'cancelled', { code: 'cancelled', message: 'Cancelled by the user.' });
  }

  private prepareAssistantMessage(turn: number, partial: Message | undefined): string {
    const { doc, clock, newId } = this.deps;
    const fresh = (id: string) =>
      appendMessage(doc, {
        id,
        role: 'assistant',
        turn,
        createdAt: clock.now(),
        status: 'streaming',
        model: this.config.model,
      });
    if (!partial) return fresh(newId('msg'));
    if (!partial.text && !partial.reasoning && !partial.toolCalls?.length) return partial.id;
    const all = listMessages(doc);
    if (all[all.length - 1]?.id === partial.id) {
      // Re-stream into the same message: the half answer of the dead driver is replaced, not duplicated.
      doc.transact(() => {
        truncateMessages(doc, all.length - 1);
        fresh(partial.id);
      });
      return partial.id;
    }
    doc.transact(() => {
      updateMessage(doc, partial.id, { status: 'interrupted' });
      // Its call is re-issued below; the request leaves the partial out and the trace says why.
      markMessageIncomplete(doc, partial.id, { reason: 'interrupted', at: clock.now() });
    });
    return fresh(newId('msg'));
  }

  private stopAtStepLimit(turn: number): TurnResult {
    const { doc, clock, newId } = this.deps;
    appendMessage(doc, {
      id: newId('msg'),
      role: 'notice',
      turn,
      createdAt: clock.now(),
      text: `Stopped after ${this.config.maxSteps} model calls (the step limit of a turn).`,
    });
    return this.finish(turn, 'step-limit', []);
  }

  private finish(
    turn: number,
    outcome: Exclude<TurnOutcome, 'abandoned'>,
    pending: string[],
    error?: { code: string; message: string },
  ): TurnResult {
    const { doc, clock } = this.deps;
    const now = clock.now();
    doc.transact(() => {
      const snapOutcome = outcome === 'waiting-approval' ? 'interrupted' : outcome;
      appendSnapshot(doc, buildSnapshot(doc, turn, now, snapOutcome, pending));
      setRunState(doc, {
        status: outcome === 'waiting-approval' ? 'waiting-approval' : 'idle',
        pendingApprovals: pending.length ? pending : undefined,
      });
    });
    return { turn, outcome, ...(error ? { error } : {}), ...(pending.length ? { pendingApprovals: pending } : {}) };
  }

  private structuredMode() {
    return this.config.structuredOutput ?? 'words';
  }

  private systemPrompt(): string | undefined {
    const p = this.config.systemPrompt;
    return typeof p === 'function' ? p() : p;
  }
}

/** The schema the turn's answer must match: its (last) user message says. */
function outputOfTurn(messages: Message[], turn: number): OutputSpec | undefined {
  return messages.filter((m) => m.role === 'user' && m.turn === turn).at(-1)?.output;
}
