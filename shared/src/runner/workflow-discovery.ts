// Workflow scripts the runner can see on disk: the project's and the user's own.
import { z } from 'zod';

/** A workflow name is a plain file name without `.js`: no separators, no leading dot. */
export const workflowNameSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/);

export const workflowEntrySchema = z.object({
  name: workflowNameSchema,
  source: z.enum(['project', 'personal']),
  /** Where it was found, relative to the workspace (project) or home (personal). */
  location: z.string(),
});
export type WorkflowEntry = z.infer<typeof workflowEntrySchema>;

export const workflowListSchema = z.object({ workflows: z.array(workflowEntrySchema) });
export const workflowSourceSchema = workflowEntrySchema.extend({ code: z.string() });
export type WorkflowSource = z.infer<typeof workflowSourceSchema>;
