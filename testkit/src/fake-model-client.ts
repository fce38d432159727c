// An in-process ModelClient for tests that need no HTTP: each call is answered by a script (text, tool
// calls, usage, an error, a cut mid-stream) and recorded, and a call can be held open until the test
// releases it, so a test can kill or race a driver at an exact point of a turn without sleeping.
import type { Usage } from '@boocode/shared/doc/session-schema';
import type { AbortSignalLike, ChatRequest, ModelChunkEvent, ModelClient } from '@boocode/shared/model/model-client';
import { ModelError, type ModelErrorCode } from '@boocode/shared/model/model-error';

export interface FakeReply {
  text?: string;
  reasoning?: string;
  toolCalls?: { id?: string; name: string; arguments: unknown }[];
  usage?: Usage;
  /** Throw this instead of answering (before any chunk). */
  error?: { code: ModelErrorCode; message?: string; status?: number; retryAfterMs?: number };
  /** End the stream with a `stream-cut` error after this many text chunks. */
  cutAfterChunks?: number;
  /** Characters per text chunk (default 4). */
  chunkChars?: number;
  /** Wait for `release(callIndex)` before the first chunk. */
  hold?: boolean;
  /** Time before each chunk, on the client's clock (`options.sleep`): a stream that takes time to arrive. */
  chunkDelayMs?: number;
}

export type FakeScript = (request: ChatRequest, callIndex: number) => FakeReply;

export interface FakeModelClient extends ModelClient {
  /** Every request in the order it was made. */
  readonly requests: ChatRequest[];
  /** Lets a held call go on. */
  release(callIndex: number): void;
  /** Resolves once at least `n` calls have been made. */
  waitForCalls(n: number): Promise<void>;
}

const DEFAULT_USAGE: Usage = { reported: true, prompt: 10, completion: 5, reasoning: 0 };

export interface FakeModelOptions {
  /** The clock chunk delays run on (a virtual clock in replayable tests). */
  sleep?: (ms: number) => Promise<void>;
}

export function createFakeModelClient(script: FakeScript | FakeReply[], opts: FakeModelOptions = {}): FakeModelClient {
  const requests: ChatRequest[] = [];
  const gates = new Map<number, () => void>();
  const released = new Set<number>();
  const callWaiters: { n: number; resolve: () => void }[] = [];
  const replyFor: FakeScript = Array.isArray(script)
    ? (_req, i) => script[Math.min(i, script.length - 1)] ?? { text: '' }
    : script;

  const waitGate = (index: number, signal?: AbortSignalLike) =>
    new Promise<void>((resolve, reject) => {
      if (released.has(index)) return resolve();
      const onAbort = () => reject(new ModelError('aborted', 'The request was cancelled.'));
      signal?.addEventListener('abort', onAbort, { once: true });
      gates.set(index, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });

  async function* stream(
    request: ChatRequest,
    options?: { signal?: AbortSignalLike },
  ): AsyncGenerator<ModelChunkEvent> {
    const index = requests.length;
    requests.push(structuredClone(request));
    for (const w of callWaiters.filter((w) => requests.length >= w.n)) w.resolve();
    const reply = replyFor(request, index);
    if (reply.hold) await waitGate(index, options?.signal);
    if (reply.error) {
      const { code, message, status, retryAfterMs } = reply.error;
      throw new ModelError(code, message ?? `scripted ${code}`, { status, retryAfterMs });
    }
    if (reply.reasoning) yield { type: 'reasoning-delta', text: reply.reasoning };
    const size = reply.chunkChars ?? 4;
    const text = reply.text ?? '';
    for (let at = 0, n = 0; at < text.length; at += size, n++) {
      if (options?.signal?.aborted) throw new ModelError('aborted', 'The request was cancelled.');
      if (reply.cutAfterChunks !== undefined && n >= reply.cutAfterChunks) {
        throw new ModelError('stream-cut', 'The stream was cut off.');
      }
      if (reply.chunkDelayMs && opts.sleep) await opts.sleep(reply.chunkDelayMs);
      if (options?.signal?.aborted) throw new ModelError('aborted', 'The request was cancelled.');
      yield { type: 'text-delta', text: text.slice(at, at + size) };
      // Yield to the event loop between chunks, as a network stream does.
      await Promise.resolve();
    }
    for (const [i, call] of (reply.toolCalls ?? []).entries()) {
      yield {
        type: 'tool-call-delta',
        index: i,
        id: call.id ?? `call_${index}_${i}`,
        name: call.name,
        argumentsDelta: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      };
    }
    yield { type: 'usage', usage: reply.usage ?? DEFAULT_USAGE };
    yield { type: 'finish', reason: reply.toolCalls?.length ? 'tool_calls' : 'stop' };
  }

  return {
    requests,
    stream,
    release(callIndex) {
      released.add(callIndex);
      gates.get(callIndex)?.();
      gates.delete(callIndex);
    },
    waitForCalls(n) {
      if (requests.length >= n) return Promise.resolve();
      return new Promise((resolve) => callWaiters.push({ n, resolve }));
    },
  };
}
