// The agent engine: runs a session's turns against a model and tools, recording everything in the session
// doc as it happens. The doc is the only state: every step first asks the doc what the turn needs next
// (`nextAction`), so a resume after the driver died takes the same path as a fresh run and never
// duplicates a message or silently re-runs a tool that was not read-only.
import {
  appendMessage,
  getRunState,
  getSessionMeta,
  listMessages,
  markMessageIncomplete,
  setRunState,
  truncateMessages,
  updateMessage,
} from '../doc/session.ts';
import type { Attachment, Message, OutputSpec, ToolCall } from '../doc/session-schema.ts';
import { appendSnapshot, closeSpan, listOpenSpans, listSpans } from '../doc/spans.ts';
import type { AbortSignalLike } from '../model/model-client.ts';
import { modelPrice } from '../model/providers.ts';
import { loadAttachmentBytes } from './attachment-parts.ts';
import { runAutoFixCheck } from './auto-fix.ts';
import { buildChatRequest, historyNotes } from './chat-request.ts';
import { type AgentConfig, type AgentDeps, DEFAULTS } from './engine-deps.ts';
import { runModelStep, type StepContext } from './model-step.ts';
import { createStopSource, type StopSource } from './stop-signal.ts';
import { effectiveMode, promptWithSchemaInWords } from './structured-request.ts';
import { appendToolMessage, isReadOnlyTool, runToolCall } from './tool-step.ts';
import { buildSnapshot } from './turn-snapshot.ts';
import { nextAction, stepsTaken } from './turn-state.ts';

export type TurnOutcome = 'ok' | 'error' | 'cancelled' | 'step-limit' | 'waiting-approval';

export interface TurnResult {
  turn: number;
  outcome: TurnOutcome;
  error?: { code: string; message: string };
  /** Span ids of interrupted, non-read-only tool calls that need the user's approval to re-run. */
  pendingApprovals?: string[];
}

/** Another tab drives this session; this one should watch the doc instead. */
export class SessionBusyError extends Error {
  override readonly name = 'SessionBusyError';
  readonly code = 'session-busy';
  constructor() {
    super('Another tab is running this session; this tab follows it read-only.');
  }
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

/** True when the run state says a driver was mid-turn and its heartbeat is stale (it died). */
export function needsResume(doc: AgentDeps['doc'], now: number, staleAfterMs: number = DEFAULTS.staleAfterMs): boolean {
  const run = getRunState(doc);
  if (run.status === 'interrupted') return true;
  return run.status === 'running' && now - (run.heartbeatAt ?? 0) > staleAfterMs;
}

export class AgentEngine {
  private readonly config: StepContext['config'] & { maxSteps: number; heartbeatMs: number };
  private current: StopSource | undefined;

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
      heartbeatMs: config.heartbeatMs ?? DEFAULTS.heartbeatMs,
      spanTextCap: config.spanTextCap ?? DEFAULTS.spanTextCap,
      price: config.price ?? (config.provider ? modelPrice(config.provider, config.model) : undefined),
    };
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Stops the running turn: the stream and the running tool end, their spans close as `cancelled`. */
  cancel(): void {
    this.current?.stop('cancelled');
  }

  /**
   * Appends the user's message as a new turn and runs it until the model stops calling tools. With `output`,
   * the answer is asked to match that JSON Schema, the way the provider honours it (config.structuredOutput).
   */
  runTurn(
    input: { text: string; attachments?: Attachment[]; output?: OutputSpec },
    opts: RunOptions = {},
  ): Promise<TurnResult> {
    return this.withDriver(opts, async (ctx) => {
      this.declinePendingApprovals(ctx);
      const turn = getRunState(this.deps.doc).turn + 1;
      const { doc, clock, newId } = this.deps;
      this.hooks.atTurnBoundary?.(doc, turn);
      doc.transact(() => {
        setRunState(doc, { turn });
        appendMessage(doc, {
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
   * Takes over a session whose driver died mid-turn: open spans become `interrupted`, a half-streamed answer
   * is re-requested, read-only tools in flight are re-run, others wait for `resolveApproval`.
   * Returns undefined when there was nothing to resume.
   */
  async resume(opts: RunOptions = {}): Promise<TurnResult | undefined> {
    const { doc } = this.deps;
    const run = getRunState(doc);
    if (run.status === 'waiting-approval')
      return { turn: run.turn, outcome: 'waiting-approval', pendingApprovals: run.pendingApprovals ?? [] };
    const open = listOpenSpans(doc);
    const action = nextAction(listMessages(doc), run.turn);
    if (!open.length && action.kind === 'done' && run.status === 'idle') return undefined;
    return this.withDriver(opts, async (ctx) => {
      const now = this.deps.clock.now();
      doc.transact(() => {
        for (const s of listOpenSpans(doc))
          closeSpan(doc, s.id, {
            status: 'interrupted',
            endedAt: now,
            error: {
              code: 'interrupted',
              message: 'The driver stopped (tab closed or crashed) while this was running.',
            },
          });
      });
      return this.drive(ctx, run.turn);
    });
  }

  /** The user's answer for an interrupted tool call: re-run it, or tell the model it was not re-run. */
  async resolveApproval(spanId: string, decision: 'approve' | 'deny', opts: RunOptions = {}): Promise<TurnResult> {
    // Checked before taking the driver seat, so a stale approval leaves the run state untouched.
    if (!this.pendingCall(spanId)) throw new Error(`resolveApproval: span ${spanId} is not awaiting approval`);
    return this.withDriver(opts, async (ctx) => {
      const found = this.pendingCall(spanId);
      if (!found) return this.drive(ctx, getRunState(this.deps.doc).turn);
      if (decision === 'approve') await runToolCall(ctx, found.turn, found.assistant.id, found.call);
      else this.declineCall(ctx, found.turn, found.call);
      return this.drive(ctx, found.turn);
    });
  }

  private async withDriver(opts: RunOptions, fn: (ctx: StepContext) => Promise<TurnResult>): Promise<TurnResult> {
    if (this.current) throw new Error('AgentEngine: a turn is already running on this engine');
    const stop = createStopSource(opts.signal);
    this.current = stop;
    const { doc, clock, driverId, lock } = this.deps;
    const held = lock ? await lock.acquire(getSessionMeta(doc)?.id ?? doc.guid) : undefined;
    if (lock && !held) {
      this.current = undefined;
      throw new SessionBusyError();
    }
    const heartbeat = createStopSource();
    setRunState(doc, { status: 'running', driver: driverId, heartbeatAt: clock.now() });
    void this.heartbeatLoop(heartbeat.signal);
    try {
      return await fn({ deps: this.deps, config: this.config, signal: stop.signal });
    } finally {
      heartbeat.stop();
      held?.release();
      this.current = undefined;
    }
  }

  private async heartbeatLoop(signal: AbortSignalLike): Promise<void> {
    const { doc, clock } = this.deps;
    while (!signal.aborted) {
      await clock.sleep(this.config.heartbeatMs, signal);
      if (!signal.aborted) setRunState(doc, { heartbeatAt: clock.now() });
    }
  }

  private async drive(ctx: StepContext, turn: number): Promise<TurnResult> {
    const { doc } = this.deps;
    for (;;) {
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
        if (r.kind === 'cancelled') return this.finish(turn, 'cancelled', []);
        if (r.kind === 'error') return this.finish(turn, 'error', [], { code: r.error.code, message: r.error.message });
        continue;
      }
      const pending = await this.runTools(ctx, turn, action.assistant, action.calls);
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
      if (ctx.signal.aborted) break;
      const interrupted = spans.find((s) => s.toolCallId === call.id && s.status === 'interrupted');
      if (interrupted && !isReadOnlyTool(defs, call.name)) {
        // It may have taken effect before the driver died: never re-run it without asking.
        pending.push(interrupted.id);
        continue;
      }
      const outcome = await runToolCall(ctx, turn, assistant.id, call);
      if (outcome === 'cancelled') break;
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
    appendToolMessage(
      ctx,
      turn,
      call.id,
      'Not re-run: this call was interrupted and the user declined to run it again. It may or may not have taken effect.',
      'cancelled',
      { code: 'declined', message: 'The user declined to re-run this interrupted tool call.' },
    );
  }

  /** A new turn while approvals are pending: those calls are answered as declined so the history stays valid. */
  private declinePendingApprovals(ctx: StepContext): void {
    const run = getRunState(this.deps.doc);
    for (const spanId of run.pendingApprovals ?? []) {
      const found = this.pendingCall(spanId);
      if (found) this.declineCall(ctx, found.turn, found.call);
    }
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
    outcome: TurnOutcome,
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
        heartbeatAt: now,
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
