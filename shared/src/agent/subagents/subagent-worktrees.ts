// Git worktrees for coder subagents, as the manager sees them: an injected ChildWorktrees (over the runner in the
// browser, over a real runner in tests) and the pure steps around it: open one at spawn (a workspace that is not
// a git repository gives a notice and the shared workspace), record the diff stat when the child ends, and merge
// or discard it afterwards. Failures come back as words on the record or as tool errors, never as throws.

import type * as Y from 'yjs';
import type { WorktreeDiff, WorktreeFileChange, WorktreeMergeResult } from '../../runner/worktree.ts';
import type { ToolResult } from '../engine-deps.ts';
import {
  getSubagentRecord,
  type SubagentRecord,
  type SubagentWorktree,
  updateSubagentRecord,
} from './subagent-records.ts';

/** What the manager needs from the runner; methods throw errors carrying a `code` (e.g. RunnerCallError). */
export interface ChildWorktrees {
  /** A worktree for the child on a new branch from the workspace's HEAD. */
  create(childId: string): Promise<{ branch: string; baseCommit: string }>;
  diff(childId: string): Promise<WorktreeDiff>;
  /** The child's changes become uncommitted changes in the workspace; the worktree and branch are removed. */
  merge(childId: string): Promise<WorktreeMergeResult>;
  /** Removes the worktree and deletes its branch. */
  discard(childId: string): Promise<unknown>;
}

export type WorktreeAction = 'merge' | 'discard';

/**
 * Codes after which the child still runs, in the shared workspace, with the error's words as the notice: the
 * workspace is not a git repository (or has no commit), or this device has no runner to ask.
 */
const SHARED_WORKSPACE_CODES = new Set(['NOT_A_GIT_REPO', 'RUNNER_NOT_PAIRED']);

/** Files kept on the record (the full list and the diff stay with the runner while the worktree exists). */
const MAX_RECORDED_FILES = 100;

const codeOf = (e: unknown) =>
  typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'WORKTREE_FAILED';
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The record's worktree at spawn, or the tool error that keeps the child from starting. */
export async function openChildWorktree(
  worktrees: ChildWorktrees | undefined,
  childId: string,
): Promise<{ ok: true; worktree: SubagentWorktree } | { ok: false; result: ToolResult }> {
  if (!worktrees)
    return {
      ok: true,
      worktree: {
        state: 'unavailable',
        notice:
          'This session has no local runner to create worktrees with, so the subagent works in the shared workspace.',
      },
    };
  try {
    const { branch, baseCommit } = await worktrees.create(childId);
    return { ok: true, worktree: { state: 'active', branch, baseCommit } };
  } catch (e) {
    // Not a git repository (or no commit yet): the issue's rule is a clear notice and the shared workspace.
    if (SHARED_WORKSPACE_CODES.has(codeOf(e)))
      return { ok: true, worktree: { state: 'unavailable', notice: messageOf(e) } };
    return {
      ok: false,
      result: {
        ok: false,
        error: {
          code: 'WORKTREE_FAILED',
          message: `The subagent was not started: its worktree could not be created (${messageOf(e)}). Try again, or spawn it without a worktree.`,
        },
      },
    };
  }
}

function changedFiles(files: WorktreeFileChange[]): Pick<SubagentWorktree, 'diffStat' | 'files'> {
  return {
    diffStat: {
      files: files.length,
      added: files.reduce((n, f) => n + f.added, 0),
      removed: files.reduce((n, f) => n + f.removed, 0),
    },
    files: files.slice(0, MAX_RECORDED_FILES).map((f) => ({
      path: f.path,
      status: f.status,
      added: f.added,
      removed: f.removed,
      binary: f.binary,
    })),
  };
}

/** The record's worktree once the child ended: its diff stat, or a notice saying why there is none. */
export async function worktreeAfterRun(
  worktrees: ChildWorktrees | undefined,
  record: SubagentRecord,
): Promise<SubagentWorktree | undefined> {
  const current = record.worktree;
  if (!worktrees || current?.state !== 'active') return undefined;
  try {
    return { ...current, ...changedFiles((await worktrees.diff(record.id)).files) };
  } catch (e) {
    return { ...current, notice: `Could not read its diff: ${messageOf(e)}` };
  }
}

/** Why `action` cannot run on this record now, as a tool error; undefined when it can. */
export function refuseWorktreeAction(r: SubagentRecord, action: WorktreeAction): ToolResult | undefined {
  const w = r.worktree;
  if (!w || w.state === 'unavailable')
    return {
      ok: false,
      error: {
        code: 'SUBAGENT_NO_WORKTREE',
        message: `Subagent "${r.label}" has no worktree of its own (it worked in the shared workspace${w?.notice ? `: ${w.notice}` : ''}); there is nothing to ${action}.`,
      },
    };
  if (w.state !== 'active')
    return {
      ok: false,
      error: {
        code: 'WORKTREE_ALREADY_CLOSED',
        message: `The worktree of subagent "${r.label}" was already ${w.state}; there is nothing left to ${action}.`,
      },
    };
  if (r.status !== 'done' && r.status !== 'failed' && r.status !== 'cancelled')
    return {
      ok: false,
      error: {
        code: 'SUBAGENT_STILL_RUNNING',
        message: `Subagent "${r.label}" has not finished yet (status: ${r.status}); ${action} its worktree once it has.`,
      },
    };
  return undefined;
}

/** Runs the merge or discard; the record's new worktree and the tool's answer. */
export async function applyWorktreeAction(
  worktrees: ChildWorktrees,
  r: SubagentRecord,
  action: WorktreeAction,
  now: number,
): Promise<{ worktree: SubagentWorktree; result: ToolResult }> {
  const w = r.worktree!;
  try {
    if (action === 'discard') {
      await worktrees.discard(r.id);
      return {
        worktree: { ...w, state: 'discarded', resolvedAt: now },
        result: {
          ok: true,
          output: `Discarded the changes of subagent "${r.label}": its worktree and branch ${w.branch} were removed; the workspace is unchanged.`,
        },
      };
    }
    const merged = await worktrees.merge(r.id);
    const files = merged.files.map((f) => `${f.path} (+${f.added} -${f.removed})`).join(', ');
    return {
      worktree: { ...w, ...changedFiles(merged.files), state: 'merged', resolvedAt: now },
      result: {
        ok: true,
        output: merged.files.length
          ? `Merged the changes of subagent "${r.label}" into the workspace as uncommitted changes: ${files}. Its worktree and branch ${w.branch} were removed.`
          : `Subagent "${r.label}" changed nothing; its worktree and branch ${w.branch} were removed.`,
      },
    };
  } catch (e) {
    const code = codeOf(e);
    return {
      worktree: { ...w, notice: messageOf(e) },
      result: { ok: false, error: { code, message: messageOf(e) } },
    };
  }
}

/**
 * subagent_merge and the review UI: checks, runs and records a merge or discard. A second request for the same
 * child while one is under way in this tab is refused rather than sent to the runner twice.
 */
export function createWorktreeResolver(worktrees: ChildWorktrees | undefined, now: () => number) {
  const resolving = new Set<string>();
  return async (parentDoc: Y.Doc, childId: string, action: WorktreeAction): Promise<ToolResult> => {
    const r = getSubagentRecord(parentDoc, childId);
    if (!r)
      return {
        ok: false,
        error: { code: 'SUBAGENT_NOT_FOUND', message: `This session has no subagent with id ${childId}.` },
      };
    const refused = refuseWorktreeAction(r, action);
    if (refused) return refused;
    if (!worktrees)
      return {
        ok: false,
        error: {
          code: 'WORKTREES_UNAVAILABLE',
          message: 'This tab has no local runner to merge or discard worktrees with.',
        },
      };
    if (resolving.has(childId))
      return {
        ok: false,
        error: { code: 'WORKTREE_BUSY', message: `The worktree of "${r.label}" is already being merged or discarded.` },
      };
    resolving.add(childId);
    try {
      const done = await applyWorktreeAction(worktrees, r, action, now());
      updateSubagentRecord(parentDoc, childId, { worktree: done.worktree });
      return done.result;
    } finally {
      resolving.delete(childId);
    }
  };
}
