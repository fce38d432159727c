// The subagent manager's ChildWorktrees over the local runner: each call reads this device's pairing afresh (the
// user may pair or re-pair while the tab runs), and an unpaired device answers RUNNER_NOT_PAIRED, after which a
// child spawned with `worktree: true` runs in the shared workspace with that notice on its record.
import type { ChildWorktrees } from '@boocode/shared/agent/subagents/subagent-worktrees';
import {
  createRunnerClient,
  RunnerCallError,
  type RunnerWorktreeClient,
} from '@boocode/shared/runner/runner-http-client';
import type { LocalDb } from '../docs/local-db.ts';
import { readRunnerPairing } from '../runner/runner-pairing.ts';

/** Over a worktree client the caller provides (or undefined when there is no runner to ask). */
export function createRunnerWorktrees(client: () => Promise<RunnerWorktreeClient | undefined>): ChildWorktrees {
  const paired = async (): Promise<RunnerWorktreeClient> => {
    const c = await client();
    if (!c)
      throw new RunnerCallError(
        'RUNNER_NOT_PAIRED',
        'This device is not paired with a local runner, so the subagent cannot get a git worktree and works in the shared workspace. Pair it in Settings → Runner.',
      );
    return c;
  };
  return {
    create: async (childId) => (await paired()).createWorktree(childId),
    diff: async (childId) => (await paired()).worktreeDiff(childId),
    merge: async (childId) => (await paired()).mergeWorktree(childId),
    discard: async (childId) => (await paired()).discardWorktree(childId),
  };
}

/** This device's runner, as paired in Settings → Runner (the pairing lives in the local-only Dexie db). */
export function runnerWorktreesForDevice(db: LocalDb): ChildWorktrees {
  return createRunnerWorktrees(async () => {
    const pairing = await readRunnerPairing(db);
    return pairing ? createRunnerClient(pairing) : undefined;
  });
}
