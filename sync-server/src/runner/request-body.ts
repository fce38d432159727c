// Validates a request body with its shared zod schema. Fastify's own Ajv would strip unknown
// properties silently (FINDINGS); here an unknown or wrong field is a 400 that says which.
import { z } from 'zod';
import { RunnerError } from './runner-error.ts';

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new RunnerError('INVALID_REQUEST', `Invalid request body: ${z.prettifyError(result.error)}`);
  return result.data;
}
