// Git worktrees for coder subagents: the runner's request and response bodies. A worktree is named by
// the child session id (strict regex: it becomes a directory name and a branch name, so nothing that could
// climb a path or start a git option gets through) and lives on the branch `boocode/<id>`.
import { z } from 'zod';

export const worktreeIdSchema = z
  .string()
  .regex(/^ses_[A-Za-z0-9_-]{1,64}$/, 'a worktree id is a session id: ses_ followed by letters, digits, _ or -');
export type WorktreeId = z.infer<typeof worktreeIdSchema>;

/** A revision to branch from: names and hashes only, never something git would read as an option. */
export const worktreeBaseSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/, 'a base is a branch, tag or commit name')
  .refine((s) => !s.includes('..'), 'a base may not contain ".."');

export const WORKTREE_BRANCH_PREFIX = 'boocode/';
export const worktreeBranchOf = (id: WorktreeId) => `${WORKTREE_BRANCH_PREFIX}${id}`;

/** POST /worktrees */
export const createWorktreeRequestSchema = z.strictObject({
  id: worktreeIdSchema,
  /** Default HEAD of the workspace. */
  base: worktreeBaseSchema.optional(),
});
export type CreateWorktreeRequest = z.infer<typeof createWorktreeRequestSchema>;

export const worktreeInfoSchema = z.object({
  id: worktreeIdSchema,
  branch: z.string(),
  /** The commit the branch started from; diffs are taken against it. */
  baseCommit: z.string(),
  createdAt: z.number(),
});
export type WorktreeInfo = z.infer<typeof worktreeInfoSchema>;

/** GET /worktrees */
export const worktreeListSchema = z.object({ worktrees: z.array(worktreeInfoSchema) });

export const worktreeFileChangeSchema = z.object({
  /** Relative to the repository's top level, with '/'. */
  path: z.string(),
  /** Renames show as a deletion and an addition (diffs run with --no-renames, so merge applies them plainly). */
  status: z.enum(['added', 'modified', 'deleted']),
  /** Lines; 0 for binary files. */
  added: z.number().int(),
  removed: z.number().int(),
  binary: z.boolean(),
});
export type WorktreeFileChange = z.infer<typeof worktreeFileChangeSchema>;

export const worktreeDiffStatSchema = z.object({
  files: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
});
export type WorktreeDiffStat = z.infer<typeof worktreeDiffStatSchema>;

/** GET /worktrees/<id>/diff: everything the child changed (committed, uncommitted, untracked) since its base. */
export const worktreeDiffSchema = worktreeInfoSchema.extend({
  files: z.array(worktreeFileChangeSchema),
  stat: worktreeDiffStatSchema,
  /** The unified diff, cut at a size limit for display (`truncated`); merge never uses this text. */
  diff: z.string(),
  truncated: z.boolean(),
});
export type WorktreeDiff = z.infer<typeof worktreeDiffSchema>;

/** POST /worktrees/<id>/merge: the child's changes are now uncommitted changes in the workspace. */
export const worktreeMergeResultSchema = z.object({
  id: worktreeIdSchema,
  branch: z.string(),
  merged: z.literal(true),
  files: z.array(worktreeFileChangeSchema),
  stat: worktreeDiffStatSchema,
});
export type WorktreeMergeResult = z.infer<typeof worktreeMergeResultSchema>;

/** DELETE /worktrees/<id> */
export const worktreeDiscardResultSchema = z.object({
  id: worktreeIdSchema,
  branch: z.string(),
  discarded: z.literal(true),
});
export type WorktreeDiscardResult = z.infer<typeof worktreeDiscardResultSchema>;

/**
 * The body of POST /worktrees/<id>/merge and DELETE /worktrees/<id>: `{}` (the wall wants a JSON body on both;
 * strict, so unknown fields are refused).
 */
export const worktreeActionBodySchema = z.strictObject({});
