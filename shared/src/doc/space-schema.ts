// Shapes of the `space` doc's session index. Kept apart from the accessors so code that only reads
// the index (the session list, the first screen) does not pull the schema library into its bundle.
import { z } from 'zod';

export const SessionKindSchema = z.enum(['chat', 'coder']);
export type SessionKind = z.infer<typeof SessionKindSchema>;

/** `queued`: a message waits for a driver (handed to the agent host); the host's inbox is these entries. */
export const SessionStatusSchema = z.enum([
  'idle',
  'queued',
  'running',
  'waiting-approval',
  'done',
  'failed',
  'cancelled',
]);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

export const SessionIndexEntrySchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: SessionKindSchema,
  status: SessionStatusSchema,
  parentId: z.string().optional(),
  /** Set when archived; archived sessions are hidden from the default list but kept. */
  archivedAt: z.number().optional(),
  /** Set when deleted; kept as a tombstone so an undo can bring it back and other devices learn of it. */
  deletedAt: z.number().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  label: z.string().optional(),
  /** The last user or assistant text, one line, short: what the list shows under the title. */
  preview: z.string().optional(),
  /** The model the session last ran with. */
  model: z.string().optional(),
  /** Prompt + completion tokens the provider reported, all turns. */
  tokens: z.number().optional(),
  /** Cost in dollars, when at least one call had a known price. */
  cost: z.number().optional(),
});
export type SessionIndexEntry = z.infer<typeof SessionIndexEntrySchema>;
