// The envelope a client POSTs to /tools/<name>, and the frames run_command streams back.
// `approved` lives in the envelope, not in the tool input: the model writes the input, so a
// model that put `approved: true` in its arguments must not be able to approve itself.
import { z } from 'zod';
import { runnerErrorBodySchema } from './runner-error.ts';
import { runCommandResultSchema } from './tool-contracts.ts';
import { worktreeIdSchema } from './worktree.ts';

export const commandIdSchema = z.string().regex(/^cmd_[A-Za-z0-9_-]{1,64}$/);

export function toolRequestSchema<T extends z.ZodType>(input: T) {
  return z.strictObject({
    input,
    /** Set only after the user approved this exact call in the UI. Deny rules still win. */
    approved: z.boolean().optional(),
    /** run_command only: an id chosen by the client, so it can cancel via POST /commands/<id>/cancel. */
    commandId: commandIdSchema.optional(),
    /**
     * Run the tool inside this git worktree (a coder subagent's, named by its session id) instead of the
     * workspace: paths and the command's cwd are confined to the worktree. An unknown id is refused.
     */
    worktree: worktreeIdSchema.optional(),
  });
}

export const commandStartEventSchema = z.object({
  type: z.literal('command-start'),
  commandId: z.string(),
  pid: z.number().int().nullable(),
});
export const commandDeltaEventSchema = z.object({
  type: z.literal('command-delta'),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
});
export const commandEndEventSchema = z.object({
  type: z.literal('command-end'),
  result: runCommandResultSchema,
});
export const commandErrorEventSchema = z.object({
  type: z.literal('command-error'),
  error: runnerErrorBodySchema,
});
/** One SSE `data:` line (or one WebSocket message) per event. */
export const commandEventSchema = z.discriminatedUnion('type', [
  commandStartEventSchema,
  commandDeltaEventSchema,
  commandEndEventSchema,
  commandErrorEventSchema,
]);
export type CommandEvent = z.infer<typeof commandEventSchema>;
