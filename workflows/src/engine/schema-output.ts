// Turns an agent's text into a value that matches the caller's JSON Schema, or says why not.
// zod is the project's one schema library; z.fromJSONSchema converts the caller's schema.
import { z } from 'zod';

export type SchemaCheck = { ok: true; value: unknown } | { ok: false; error: string };

export function compileSchema(schema: Record<string, unknown>): (text: string) => SchemaCheck {
  const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  return (text) => {
    const parsed = parseJsonAnswer(text);
    if (!parsed.ok) return parsed;
    const result = validator.safeParse(parsed.value);
    if (result.success) return { ok: true, value: result.data };
    const issues = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    return { ok: false, error: issues.join('; ') };
  };
}

/** Models wrap JSON in prose or a ```json fence; take the fenced block or the outermost object. */
export function parseJsonAnswer(text: string): SchemaCheck {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(text)?.[1];
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  const candidate = fenced ?? (start >= 0 && end > start ? text.slice(start, end + 1) : text);
  try {
    return { ok: true, value: JSON.parse(candidate) as unknown };
  } catch (error) {
    return { ok: false, error: `the answer is not JSON (${(error as Error).message})` };
  }
}

export function reaskPrompt(prompt: string, schema: Record<string, unknown>, previous: string, error: string): string {
  return [
    prompt,
    '',
    'Your previous answer did not match the required JSON Schema.',
    `Validation error: ${error}`,
    `Previous answer: ${previous.slice(0, 2000)}`,
    `Reply with only a JSON object matching this schema: ${JSON.stringify(schema)}`,
  ].join('\n');
}
