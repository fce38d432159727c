// What the agent engine is given instead of reaching for globals: the session doc, a model client, a tool
// executor, a clock, an id generator and an optional session lock. Everything here is plain and isomorphic,
// so the same engine runs in a browser tab and under Node.
import type * as Y from 'yjs';
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

export interface ToolExecutor {
  definitions(): ToolDefinition[];
  /** Runs one tool call; must stop promptly when `signal` aborts. Throwing counts as a failed call. */
  execute(call: ToolInvocation, ctx: { signal: AbortSignalLike; spanId: string }): Promise<ToolResult>;
}

/**
 * One driver per session: the browser adapts navigator.locks (see web-session-lock.ts), tests may pass
 * nothing. `acquire` resolves undefined when another driver holds the session; the engine then refuses to run.
 */
export interface SessionLock {
  acquire(sessionKey: string): Promise<{ release(): void } | undefined>;
}

export interface AgentDeps {
  doc: Y.Doc;
  model: ModelClient;
  tools?: ToolExecutor;
  clock: Clock;
  newId: (prefix: 'msg' | 'spn') => string;
  /** Who drives the run (tab id), written to the run state with each heartbeat. */
  driverId: string;
  lock?: SessionLock;
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
  heartbeatMs?: number;
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
  heartbeatMs: 2000,
  spanTextCap: 8000,
  /** A driver whose heartbeat is older than this is presumed dead. */
  staleAfterMs: 10_000,
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
