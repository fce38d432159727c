// A stand-in agent for the headless command when no model is configured: it echoes the prompt,
// and for a schema it builds the smallest object that validates, so any workflow runs end to end.
import type { RunAgent } from '../engine/agent-contract.ts';

export const echoAgent: RunAgent = async (spec) => {
  const text = spec.options.schema
    ? JSON.stringify(sampleOf(spec.options.schema))
    : `echo: ${spec.prompt.length > 200 ? `${spec.prompt.slice(0, 200)}…` : spec.prompt}`;
  return { text, usage: { tokens: Math.ceil(spec.prompt.length / 4) } };
};

type Schema = Record<string, unknown>;

/** A minimal value of the JSON Schema: required properties, minimum lengths, the first enum member. */
export function sampleOf(schema: Schema): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      return Object.fromEntries(required.map((key) => [key, sampleOf(properties[key] ?? {})]));
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: count }, (_, i) => withIndex(sampleOf((schema.items ?? {}) as Schema), i));
    }
    case 'string':
      return 'echo'.padEnd(typeof schema.minLength === 'number' ? schema.minLength : 4, '.');
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

function withIndex(value: unknown, index: number): unknown {
  return typeof value === 'string' ? `${value} ${index + 1}` : value;
}
