// What drivers need from a runner, whoever reaches it: the browser over HTTP (client/src/runner/runner-client.ts)
// and the agent host in-process. Tool calls with `approved` and `worktree` beside the input, the approval
// rules, and the git worktrees of coder subagents. Failures are RunnerCallErrors with the runner's code.
import type { AbortSignalLike } from '../model/model-client.ts';
import type { ApprovalRule } from './approval-policy.ts';
import type { RunCommandResult, ToolName } from './tool-contracts.ts';
import type { WorktreeDiff, WorktreeDiscardResult, WorktreeInfo, WorktreeMergeResult } from './worktree.ts';

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

/** `worktree` pins the call to a subagent's git worktree (its session id): the runner confines it there. */
export interface ToolCallOptions {
  approved?: boolean;
  signal?: AbortSignalLike;
  worktree?: string;
}

export interface RunnerClient {
  readonly url: string;
  callTool(name: ToolName, input: unknown, opts: ToolCallOptions): Promise<unknown>;
  /** run_command over SSE: output arrives through `onOutput` while it runs; resolves with the result. */
  streamCommand(
    input: unknown,
    opts: ToolCallOptions & { onOutput(stream: 'stdout' | 'stderr', text: string): void },
  ): Promise<RunCommandResult>;
  getRules(signal?: AbortSignalLike): Promise<ApprovalRule[]>;
  putRules(rules: ApprovalRule[]): Promise<void>;
}

/** The runner's worktree endpoints; errors are RunnerCallErrors (NOT_A_GIT_REPO, MERGE_CONFLICT, …). */
export interface RunnerWorktreeClient {
  /** A new worktree on `boocode/<id>`, from `base` (default the workspace's HEAD). */
  createWorktree(id: string, base?: string): Promise<WorktreeInfo>;
  listWorktrees(signal?: AbortSignalLike): Promise<WorktreeInfo[]>;
  worktreeDiff(id: string, signal?: AbortSignalLike): Promise<WorktreeDiff>;
  /** The child's changes become uncommitted changes in the workspace; the worktree and its branch go. */
  mergeWorktree(id: string): Promise<WorktreeMergeResult>;
  /** Removes the worktree and deletes its branch. */
  discardWorktree(id: string): Promise<WorktreeDiscardResult>;
}
