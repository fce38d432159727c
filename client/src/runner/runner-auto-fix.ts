// The engine's auto-fix dependency for coder sessions: GET /build says whether the workspace has a check at
// all; the check is POST /build/run, sent without `approved`, so it runs only when the runner's rules allow its
// command (the script text is workspace content the agent can edit); otherwise the loop is skipped with a notice.
import { type AutoFix, type AutoFixCheck, autoFixCheckFromRunnerResponse } from '@boocode/shared/agent/auto-fix';
import type { AbortSignalLike } from '@boocode/shared/model/model-client';
import { DEFAULT_AUTO_FIX_ROUNDS } from '@boocode/shared/runner/build-check';
import type { RunnerPairing } from '@boocode/shared/runner/pairing';

export function createRunnerAutoFix(
  pairing: RunnerPairing,
  opts: { maxRounds?: number; fetch?: typeof fetch } = {},
): AutoFix {
  const doFetch = opts.fetch ?? fetch.bind(globalThis);
  const base = pairing.runnerUrl.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${pairing.token}` };
  return {
    maxRounds: opts.maxRounds ?? DEFAULT_AUTO_FIX_ROUNDS,
    async available(signal) {
      const res = await doFetch(`${base}/build`, { headers, signal: nativeAbortSignal(signal) });
      if (!res.ok) return true; // Let the run report the problem in words.
      return ((await res.json()) as { command?: unknown }).command !== null;
    },
    async run(signal): Promise<AutoFixCheck> {
      const res = await doFetch(`${base}/build/run`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
        signal: nativeAbortSignal(signal),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = { code: `HTTP_${res.status}`, message: `The runner answered ${res.status}: ${text.slice(0, 200)}` };
      }
      const check = autoFixCheckFromRunnerResponse(res.status, body);
      if (check.kind === 'skipped' && check.error.code === 'APPROVAL_REQUIRED')
        return {
          kind: 'skipped',
          error: {
            code: check.error.code,
            message: 'it needs approval like any command; allow its command with a rule in Settings → Runner',
          },
        };
      return check;
    },
  };
}

function nativeAbortSignal(like: AbortSignalLike): AbortSignal {
  const controller = new AbortController();
  if (like.aborted) controller.abort(like.reason);
  else like.addEventListener('abort', () => controller.abort(like.reason), { once: true });
  return controller.signal;
}
