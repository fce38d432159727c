// What "Test connection" answers, for a provider reached through the runner (POST /providers/:id/test) or
// directly from the page: each capability the app relies on, whether it works, in words.
import { z } from 'zod';
import { structuredOutputModeSchema } from './provider-kinds.ts';

export const connectionCheckIdSchema = z.enum([
  'models',
  'streaming',
  'usage',
  'cached-tokens',
  'tool-calls',
  'vision',
  'structured-output',
]);
export type ConnectionCheckId = z.infer<typeof connectionCheckIdSchema>;

export const connectionCheckSchema = z.object({
  id: connectionCheckIdSchema,
  /** `unknown`: not tried (an earlier step failed) or the answer cannot tell. */
  status: z.enum(['works', 'fails', 'unknown']),
  words: z.string(),
});
export type ConnectionCheck = z.infer<typeof connectionCheckSchema>;

export const connectionReportSchema = z.object({
  provider: z.string(),
  /** The model the requests were sent to. */
  model: z.string().optional(),
  /** What `GET /models` listed (at most 200). */
  models: z.array(z.string()),
  checks: z.array(connectionCheckSchema),
  /** One sentence over all the checks. */
  summary: z.string(),
  /** The best way to ask this server for a JSON Schema, from what worked. */
  structuredOutput: structuredOutputModeSchema.optional(),
});
export type ConnectionReport = z.infer<typeof connectionReportSchema>;
