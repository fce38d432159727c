// What the agent engine is given instead of reaching for globals: the session doc, a model client, a tool
// executor, a clock, an id generator and an optional session lock. Everything here is plain and isomorphic,
// so the same engine runs in a browser tab and under Node.
import type * as Y from 'yjs';
import type { ApprovalAnswer } from '../doc/session-schema.ts';
import type { HeldLease } from '../lease/driver-lease.ts';
import type { AbortSignalLike, ModelClient } from '../model/model-client.ts';
import type { StructuredOutputMode } from '../model/provider-kinds.ts';
import type { ModelPrice, ProviderId } from '../model/providers.ts';
import type { AutoFix } from './auto-fix.ts';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignalLike): Promise<void>;
}

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  /** Safe to re-run without asking (no side effects): decides what resume does with an in-flight call. */
  readOnly: boolean;
}

export interface ToolInvocation {
  /** The model's tool-call id. */
  id: string;
  name: string;
  /** The parsed argument object. */
  args: unknown;
  /** The argument JSON exactly as the model sent it. */
  rawArguments: string;
}

export type ToolResult =
  | { ok: true; output: string }
  | { ok: false; error: { code: string; message: string }; output?: string };

/** What a tool asks the user (the tool and its input are on its span). */
export interface ApprovalRequest {
  reason: string;
  canAlwaysAllow: boolean;
  /** Said in words when the call can run code or do harm beyond its arguments. */
  danger?: string;
}

export interface ToolContext {
  signal: AbortSignalLike;
  spanId: string;
  /**
   * Puts the question on the call's span in the doc and waits for the user's answer, from any tab on any
   * device (the span shows `awaiting-approval` meanwhile, and waiting is not counted as running).
   */
  askApproval(request: ApprovalRequest): Promise<ApprovalAnswer>;
  /** True when the user already approved this very call (re-running a call a crash interrupted). */
  approved: boolean;
}

export interface ToolExecutor {
  definitions(): ToolDefinition[];
  /** Runs one tool call; must stop promptly when `signal` aborts. Throwing counts as a failed call. */
  execute(call: ToolInvocation, ctx: ToolContext): Promise<ToolResult>;
}

/**
 * The driver's seat of a session: whoever runs the engine claims the doc's `turn` lease (lease/driver-lease.ts)
 * through it. `take` resolves undefined when another live driver holds it; the engine then refuses to run.
 */
export interface DriverSeat {
  take(doc: Y.Doc): Promise<HeldLease | undefined>;
  /** How often the held lease beats (default LEASE_TIMING.beatMs). */
  beatMs?: number;
}

export interface AgentDeps {
  doc: Y.Doc;
  model: ModelClient;
  tools?: ToolExecutor;
  clock: Clock;
  newId: (prefix: 'msg' | 'spn') => string;
  /** Who drives the run (`<device>/<tab>` or `host:<id>`), written to the run state when a turn starts. */
  driverId: string;
  /** One driver per session; without a seat (tests, the CLI) the engine runs unguarded. */
  seat?: DriverSeat;
  /**
   * The bytes of a content-addressed attachment (SHA-256 hex), for sending images and text files to the
   * model; undefined when this device does not have them. Without it, attachments reach the model as a note.
   */
  loadBlob?: (sha256: string) => Promise<Uint8Array | undefined>;
  /**
   * The build check run after a turn whose write tools succeeded; a failure is fed back as the next turn, up
   * to `maxRounds` (see auto-fix.ts). Without it, turns end as soon as the model stops calling tools.
   */
  autoFix?: AutoFix;
}

export interface AgentConfig {
  model: string;
  /** Sent first on every call; a function is re-evaluated per call (so a changing prompt shows as a cache break). */
  systemPrompt?: string | (() => string);
  /** Model calls per turn before the engine stops with `step-limit`. */
  maxSteps?: number;
  /** Retries of a model call that failed with 429/5xx/network before any output. */
  maxRetries?: number;
  /** The longest wait before a retry (a provider's Retry-After); past it the call fails in words. */
  maxRetryWaitMs?: number;
  /** How a turn whose answer must match a JSON Schema asks the provider (the registry says; default words). */
  structuredOutput?: StructuredOutputMode;
  /** Streamed text reaches the doc at most this often (ms of the injected clock). */
  flushMs?: number;
  /** Cap for text stored in a span's input/output (characters). */
  spanTextCap?: number;
  /** Used to look up the model's price when `price` is not given. */
  provider?: ProviderId;
  /** Per-model price for span cost; without one (and no known provider price) spans carry no cost. */
  price?: ModelPrice;
  /** False when the model takes no images: they are then sent as a note saying so, never dropped silently. */
  vision?: boolean;
}

export const DEFAULTS = {
  maxSteps: 20,
  maxRetries: 2,
  maxRetryWaitMs: 60_000,
  flushMs: 50,
  spanTextCap: 8000,
} as const;

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const g = globalThis as unknown as {
        setTimeout(fn: () => void, ms: number): unknown;
        clearTimeout(h: unknown): void;
      };
      const onAbort = () => {
        g.clearTimeout(handle);
        resolve();
      };
      const handle = g.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
