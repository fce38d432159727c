// Runs one hook for one event and says how it went in words. A command goes to the runner's run_command
// without `approved`, so the runner's approval rules decide exactly as for an agent: a denied command is not
// run, and one that would need asking is not run either (a hook never waits for a person). A POST is a fetch
// with the event as JSON. Both are cut off at the hook's time limit; nothing here throws.
import { type Hook, hookTimeoutMs } from '@boocode/shared/hooks/hook-config';
import type { HookEvent } from '@boocode/shared/hooks/hook-events';
import type { RunnerClient } from '@boocode/shared/runner/runner-client-contract';
import { runCommandResultSchema } from '@boocode/shared/runner/tool-contracts';

export interface HookOutcome {
  ok: boolean;
  detail: string;
}

/** The JSON a POST carries (and what `{event}`, `{id}`, `{session}` fill a command line with). */
export interface HookPayload {
  event: HookEvent['event'];
  id: string;
  sessionId: string;
  at: number;
  workspace: string;
  data: HookEvent['data'];
}

export interface HookRunDeps {
  runner: Pick<RunnerClient, 'callTool'>;
  /**
   * Where the hook comes from. A workspace file arrives with a cloned project, so its POSTs may only reach
   * this machine (a repository must not be able to send your sessions elsewhere); the personal file may post
   * anywhere. Commands from either go through the runner's rules.
   */
  scope: 'personal' | 'workspace';
  fetch?: typeof fetch;
  /** Aborted when the host stops: the hook is cut off and says so. */
  stop?: AbortSignal;
}

/** Ids filled into a command line must be plain words: a doc is written by peers, a command line is code. */
const PLAIN = /^[A-Za-z0-9_:.-]{1,200}$/;

export async function runHook(hook: Hook, payload: HookPayload, deps: HookRunDeps): Promise<HookOutcome> {
  const timeoutMs = hookTimeoutMs(hook);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = deps.stop ? AbortSignal.any([timeout, deps.stop]) : timeout;
  const cut = (): HookOutcome => ({
    ok: false,
    detail: deps.stop?.aborted ? 'cut off: the host stopped' : `timed out after ${timeoutMs} ms`,
  });
  try {
    if (hook.post !== undefined) {
      if (deps.scope === 'workspace' && !isLoopbackUrl(hook.post))
        return {
          ok: false,
          detail:
            'not sent: a workspace hooks file may only POST to this machine (127.0.0.1, localhost, [::1]); put other URLs in your personal hooks file',
        };
      return await postHook(hook.post, payload, signal, deps.fetch ?? fetch);
    }
    if (hook.run !== undefined) return await commandHook(hook.run, payload, timeoutMs, signal, deps.runner);
    return { ok: false, detail: 'the hook has neither run nor post' };
  } catch (e) {
    if (signal.aborted) return cut();
    return { ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

async function postHook(
  url: string,
  payload: HookPayload,
  signal: AbortSignal,
  doFetch: typeof fetch,
): Promise<HookOutcome> {
  const res = await doFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal,
    redirect: 'error',
  });
  // The body is not wanted; reading it to the end (within the limit) frees the connection.
  await res.arrayBuffer();
  return { ok: res.ok, detail: `HTTP ${res.status}` };
}

async function commandHook(
  run: string,
  payload: HookPayload,
  timeoutMs: number,
  signal: AbortSignal,
  runner: Pick<RunnerClient, 'callTool'>,
): Promise<HookOutcome> {
  const fill: Record<string, string> = { '{event}': payload.event, '{id}': payload.id, '{session}': payload.sessionId };
  for (const value of Object.values(fill))
    if (!PLAIN.test(value)) return { ok: false, detail: `not run: the event id ${JSON.stringify(value)} is not plain` };
  let command = run;
  for (const [k, v] of Object.entries(fill)) command = command.replaceAll(k, v);
  try {
    // The runner's own limit kills the process; the signal covers a runner that does not answer.
    const answer = await runner.callTool('run_command', { command, shell: true, timeoutMs }, { signal });
    const parsed = runCommandResultSchema.safeParse(answer);
    if (!parsed.success) return { ok: false, detail: 'the runner answered in a shape this host does not know' };
    const r = parsed.data;
    if (r.timedOut) return { ok: false, detail: `timed out after ${timeoutMs} ms` };
    const stderr = r.stderr.trim().split('\n').at(-1)?.slice(0, 200);
    if (r.exitCode === 0) return { ok: true, detail: 'exit code 0' };
    return {
      ok: false,
      detail:
        r.exitCode === null
          ? `killed by ${r.signal ?? 'a signal'}`
          : `exit code ${r.exitCode}${stderr ? `: ${stderr}` : ''}`,
    };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'DENIED_BY_RULE')
      return { ok: false, detail: `denied by the runner's rules: ${(e as Error).message}` };
    if (code === 'APPROVAL_REQUIRED')
      return {
        ok: false,
        detail: `needs an allow rule in the runner's approval rules (a hook never waits for a person): ${(e as Error).message}`,
      };
    throw e;
  }
}
