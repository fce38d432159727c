// The per-run options of the run form, as the user types them, and their check: which stored results a
// re-run may reuse (BooCode's spec-hash rule or Claude Code's unchanged prefix), how many agents run at
// once, and a token budget. Empty fields mean the engine's defaults.
import type { WorkflowRunLimits } from '@boocode/shared/doc/workflow-run';
import type { CacheRule } from '@boocode/shared/workflow/run-record';

export interface RunOptionsText {
  cacheRule: CacheRule;
  concurrency: string;
  budget: string;
}

export const DEFAULT_RUN_OPTIONS: RunOptionsText = { cacheRule: 'spec-hash', concurrency: '', budget: '' };

/** The most agents a run may start at once from the form (the engine has no reason to go higher in a tab). */
export const MAX_CONCURRENCY = 16;

export type ParsedRunOptions =
  | { ok: true; options: { cacheRule?: CacheRule; limits?: WorkflowRunLimits } }
  | { ok: false; error: string };

export function parseRunOptions(text: RunOptionsText): ParsedRunOptions {
  const limits: WorkflowRunLimits = {};
  const concurrency = text.concurrency.trim();
  if (concurrency) {
    const n = Number(concurrency);
    if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY)
      return { ok: false, error: `Agents at once must be a whole number from 1 to ${MAX_CONCURRENCY}.` };
    limits.maxConcurrentAgents = n;
  }
  const budget = text.budget.trim().replace(/[_,\s]/g, '');
  if (budget) {
    const n = Number(budget);
    if (!Number.isInteger(n) || n < 1) return { ok: false, error: 'The token budget must be a whole number above 0.' };
    limits.budgetTokens = n;
  }
  return {
    ok: true,
    options: {
      ...(text.cacheRule === 'spec-hash' ? {} : { cacheRule: text.cacheRule }),
      ...(Object.keys(limits).length ? { limits } : {}),
    },
  };
}
