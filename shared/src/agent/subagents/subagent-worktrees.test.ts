// The manager's worktree steps with a fake ChildWorktrees: which failures fall back to the shared workspace (with
// the notice in words) and which keep the child from starting, and the refusals of subagent_merge.
import { describe, expect, it } from 'vitest';
import type { SubagentRecord } from './subagent-records.ts';
import {
  applyWorktreeAction,
  type ChildWorktrees,
  openChildWorktree,
  refuseWorktreeAction,
  worktreeAfterRun,
} from './subagent-worktrees.ts';

const failing = (code: string, message: string): ChildWorktrees => {
  const fail = async (): Promise<never> => {
    throw Object.assign(new Error(message), { code });
  };
  return { create: fail, diff: fail, merge: fail, discard: fail };
};

const record = (patch: Partial<SubagentRecord>): SubagentRecord => ({
  id: 'ses_child',
  parentId: 'ses_parent',
  parentSpanId: 'spn_1',
  label: 'coder',
  prompt: 'p',
  depth: 1,
  status: 'done',
  queuedAt: 1,
  worktree: { state: 'active', branch: 'boocode/ses_child', baseCommit: 'abc' },
  ...patch,
});

describe('subagent worktrees', () => {
  it('falls back to the shared workspace with a notice when there is no git repository, runner or pairing', async () => {
    expect(await openChildWorktree(undefined, 'ses_child')).toMatchObject({
      ok: true,
      worktree: { state: 'unavailable', notice: expect.stringMatching(/no local runner.*shared workspace/) },
    });
    for (const code of ['NOT_A_GIT_REPO', 'RUNNER_NOT_PAIRED'])
      expect(await openChildWorktree(failing(code, `${code} in words`), 'ses_child')).toEqual({
        ok: true,
        worktree: { state: 'unavailable', notice: `${code} in words` },
      });
  });

  it('does not start the child when the worktree fails for another reason', async () => {
    const opened = await openChildWorktree(failing('RUNNER_UNREACHABLE', 'Could not reach the runner.'), 'ses_child');
    expect(opened).toMatchObject({
      ok: false,
      result: { ok: false, error: { code: 'WORKTREE_FAILED', message: expect.stringMatching(/not started.*reach/) } },
    });
  });

  it('keeps a notice instead of a diff stat when the diff cannot be read', async () => {
    expect(await worktreeAfterRun(failing('GIT_FAILED', 'git diff failed'), record({}))).toMatchObject({
      state: 'active',
      notice: 'Could not read its diff: git diff failed',
    });
  });

  it('refuses merge or discard without a worktree, after one was closed, or before the child finished', () => {
    expect(refuseWorktreeAction(record({ worktree: undefined }), 'merge')).toMatchObject({
      error: { code: 'SUBAGENT_NO_WORKTREE' },
    });
    expect(
      refuseWorktreeAction(record({ worktree: { state: 'unavailable', notice: 'not git' } }), 'merge'),
    ).toMatchObject({ error: { code: 'SUBAGENT_NO_WORKTREE', message: expect.stringContaining('not git') } });
    expect(refuseWorktreeAction(record({ worktree: { state: 'merged' } }), 'discard')).toMatchObject({
      error: { code: 'WORKTREE_ALREADY_CLOSED' },
    });
    expect(refuseWorktreeAction(record({ status: 'running' }), 'merge')).toMatchObject({
      error: { code: 'SUBAGENT_STILL_RUNNING' },
    });
    expect(refuseWorktreeAction(record({}), 'merge')).toBeUndefined();
  });

  it('a refused merge keeps the worktree active with the reason as its notice', async () => {
    const done = await applyWorktreeAction(failing('MERGE_CONFLICT', 'a.txt conflicts'), record({}), 'merge', 5);
    expect(done.worktree).toMatchObject({ state: 'active', notice: 'a.txt conflicts' });
    expect(done.result).toEqual({ ok: false, error: { code: 'MERGE_CONFLICT', message: 'a.txt conflicts' } });
  });
});
