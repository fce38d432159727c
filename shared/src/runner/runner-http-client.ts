// Talks to the local runner over HTTP: tool calls (`POST /tools/<name>` with `{ input, approved?, worktree? }`),
// the approval rules, and the git worktrees of coder subagents. The runner token is sent as a Bearer header on every call; it comes from
// local-only storage (runner-pairing.ts) and never enters a synced doc. The contract it fulfils is in
// shared/src/runner/runner-client-contract.ts (the agent host fulfils it in-process).

import type { z } from 'zod';
import type { AbortSignalLike } from '../model/model-client.ts';
import { SseParser } from '../model/sse.ts';
import { type FetchLike, globalFetch, nativeSignal, type ResponseLike, utf8Decoder } from '../model/web-platform.ts';
import type { ApprovalRule } from './approval-policy.ts';
import type { RunnerPairing } from './pairing.ts';
import {
  RunnerCallError,
  type RunnerClient,
  type RunnerWorktreeClient,
  type ToolCallOptions,
} from './runner-client-contract.ts';
import { type CommandEvent, commandEventSchema } from './tool-request.ts';
import {
  worktreeDiffSchema,
  worktreeDiscardResultSchema,
  worktreeInfoSchema,
  worktreeListSchema,
  worktreeMergeResultSchema,
} from './worktree.ts';

/** The body of a tool call: `approved` and `worktree` beside the input, never inside it. */
function toolEnvelope(input: unknown, opts: ToolCallOptions): Record<string, unknown> {
  return {
    input,
    ...(opts.approved ? { approved: true } : {}),
    ...(opts.worktree ? { worktree: opts.worktree } : {}),
  };
}

/** `doFetch` defaults to the platform's fetch; the agent host passes one that calls the runner in-process. */
export function createRunnerClient(
  pairing: RunnerPairing,
  doFetch: FetchLike = globalFetch(),
): RunnerClient & RunnerWorktreeClient {
  const base = pairing.runnerUrl.replace(/\/+$/, '');
  const send = async (
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignalLike | undefined,
    accept?: string,
  ): Promise<ResponseLike> => {
    let res: ResponseLike;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${pairing.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(accept ? { accept } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: nativeSignal(signal),
      });
    } catch (e) {
      if (signal?.aborted) throw new RunnerCallError('cancelled', 'Cancelled by the user.');
      throw new RunnerCallError(
        'RUNNER_UNREACHABLE',
        `Could not reach the local runner at ${base} (${e instanceof Error ? e.message : String(e)}). Is it running, and is this device paired with it?`,
      );
    }
    if (!res.ok) throw errorOf(res.status, await res.text());
    return res;
  };
  const request = async (method: string, path: string, body?: unknown, signal?: AbortSignalLike): Promise<unknown> => {
    const text = await (await send(method, path, body, signal)).text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  const parsed = async <T extends z.ZodType>(schema: T, pending: Promise<unknown>): Promise<z.infer<T>> => {
    const result = schema.safeParse(await pending);
    if (!result.success)
      throw new RunnerCallError('BAD_RESPONSE', 'The runner answered in a shape this app does not know; update both.');
    return result.data;
  };
  const worktreePath = (id: string) => `/worktrees/${encodeURIComponent(id)}`;
  return {
    url: base,
    callTool: (name, input, opts) => request('POST', `/tools/${name}`, toolEnvelope(input, opts), opts.signal),
    createWorktree: (id, baseRev) =>
      parsed(worktreeInfoSchema, request('POST', '/worktrees', baseRev ? { id, base: baseRev } : { id })),
    listWorktrees: async (signal) =>
      (await parsed(worktreeListSchema, request('GET', '/worktrees', undefined, signal))).worktrees,
    worktreeDiff: (id, signal) =>
      parsed(worktreeDiffSchema, request('GET', `${worktreePath(id)}/diff`, undefined, signal)),
    mergeWorktree: (id) => parsed(worktreeMergeResultSchema, request('POST', `${worktreePath(id)}/merge`, {})),
    discardWorktree: (id) => parsed(worktreeDiscardResultSchema, request('DELETE', worktreePath(id), {})),
    async getRules(signal) {
      const body = (await request('GET', '/approval/rules', undefined, signal)) as { rules?: ApprovalRule[] };
      return body.rules ?? [];
    },
    async putRules(rules) {
      await request('PUT', '/approval/rules', { rules });
    },
    async streamCommand(input, opts) {
      const res = await send('POST', '/tools/run_command', toolEnvelope(input, opts), opts.signal, 'text/event-stream');
      const reader = res.body?.getReader();
      if (!reader) throw new RunnerCallError('STREAM_CUT', 'The runner sent no output stream.');
      const decoder = utf8Decoder();
      const parser = new SseParser();
      for (;;) {
        let chunk: { done: boolean; value?: Uint8Array };
        try {
          chunk = await reader.read();
        } catch {
          if (opts.signal?.aborted) throw new RunnerCallError('cancelled', 'Cancelled by the user.');
          throw new RunnerCallError('STREAM_CUT', 'The connection to the runner was cut while the command ran.');
        }
        const payloads =
          chunk.done || !chunk.value ? parser.flush() : parser.push(decoder.decode(chunk.value, { stream: true }));
        for (const data of payloads) {
          const event = parseEvent(data);
          if (event?.type === 'command-delta') opts.onOutput(event.stream, event.text);
          else if (event?.type === 'command-end') return event.result;
          else if (event?.type === 'command-error') throw new RunnerCallError(event.error.code, event.error.message);
        }
        if (chunk.done) throw new RunnerCallError('STREAM_CUT', 'The command stream ended without a result.');
      }
    },
  };
}

function parseEvent(data: string): CommandEvent | undefined {
  try {
    const parsed = commandEventSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function errorOf(status: number, text: string): RunnerCallError {
  let json: { code?: unknown; message?: unknown } = {};
  try {
    json = (text ? JSON.parse(text) : {}) as typeof json;
  } catch {
    // Not JSON: the status and raw text say what failed.
  }
  return new RunnerCallError(
    typeof json.code === 'string' ? json.code : `HTTP_${status}`,
    typeof json.message === 'string' ? json.message : `The runner answered ${status}: ${text.slice(0, 200)}`,
    status,
  );
}

export { RunnerCallError, type RunnerClient, type RunnerWorktreeClient };
