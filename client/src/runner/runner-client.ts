// Talks to the local runner over HTTP: tool calls (`POST /tools/<name>` with `{ input, approved? }`)
// and the approval rules. The runner token is sent as a Bearer header on every call; it comes from
// local-only storage (runner-pairing.ts) and never enters a synced doc.
import type { ApprovalRule } from '@boocode/shared/runner/approval-policy';
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import type { ToolName } from '@boocode/shared/runner/tool-contracts';

/** A refusal or failure from the runner, in words, with its stable code (APPROVAL_REQUIRED, …). */
export class RunnerCallError extends Error {
  override readonly name = 'RunnerCallError';
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface RunnerClient {
  readonly url: string;
  callTool(name: ToolName, input: unknown, opts: { approved?: boolean; signal?: AbortSignal }): Promise<unknown>;
  getRules(signal?: AbortSignal): Promise<ApprovalRule[]>;
  putRules(rules: ApprovalRule[]): Promise<void>;
}

export function createRunnerClient(
  pairing: RunnerPairing,
  doFetch: typeof fetch = fetch.bind(globalThis),
): RunnerClient {
  const base = pairing.runnerUrl.replace(/\/+$/, '');
  const request = async (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> => {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${pairing.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (signal?.aborted) throw new RunnerCallError('cancelled', 'Cancelled by the user.');
      throw new RunnerCallError(
        'RUNNER_UNREACHABLE',
        `Could not reach the local runner at ${base} (${e instanceof Error ? e.message : String(e)}). Is it running, and is this device paired with it?`,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json ?? {}) as { code?: unknown; message?: unknown };
      throw new RunnerCallError(
        typeof err.code === 'string' ? err.code : `HTTP_${res.status}`,
        typeof err.message === 'string' ? err.message : `The runner answered ${res.status}: ${text.slice(0, 200)}`,
        res.status,
      );
    }
    return json;
  };
  return {
    url: base,
    callTool: (name, input, opts) =>
      request('POST', `/tools/${name}`, opts.approved ? { input, approved: true } : { input }, opts.signal),
    async getRules(signal) {
      const body = (await request('GET', '/approval/rules', undefined, signal)) as { rules?: ApprovalRule[] };
      return body.rules ?? [];
    },
    async putRules(rules) {
      await request('PUT', '/approval/rules', { rules });
    },
  };
}
