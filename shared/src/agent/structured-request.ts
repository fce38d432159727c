// How a turn whose answer must match a JSON Schema asks for it, by what the provider honours: with
// `response_format: json_schema` (the server constrains the answer), with a forced call of a `respond` tool
// whose parameters are the schema, or with the schema in words. Checking the answer and re-asking stay with
// the caller (workflows/src/engine/schema-output.ts); this module only shapes the request and reads a
// `respond` call back as the answer text.
import type { OutputSpec } from '../doc/session-schema.ts';
import type { ChatRequest, ChatToolSpec } from '../model/model-client.ts';
import type { StructuredOutputMode } from '../model/provider-kinds.ts';

export const RESPOND_TOOL = 'respond';
const WRAPPED = 'value';

/** Function parameters and OpenAI's `response_format` want an object at the root; anything else is wrapped. */
function isObjectSchema(schema: Record<string, unknown>): boolean {
  return schema.type === 'object' || (schema.type === undefined && typeof schema.properties === 'object');
}

function parametersOf(schema: Record<string, unknown>): Record<string, unknown> {
  return isObjectSchema(schema)
    ? schema
    : { type: 'object', properties: { [WRAPPED]: schema }, required: [WRAPPED], additionalProperties: false };
}

/** The mode actually used: a non-object schema cannot be a `response_format`, so it goes as a wrapped tool. */
export function effectiveMode(mode: StructuredOutputMode, output: OutputSpec): StructuredOutputMode {
  return mode === 'json_schema' && !isObjectSchema(output.schema) ? 'tool' : mode;
}

export function respondToolSpec(output: OutputSpec): ChatToolSpec {
  return {
    type: 'function',
    function: {
      name: RESPOND_TOOL,
      description: 'Give your final answer. Call this exactly once, with the whole answer as its arguments.',
      parameters: parametersOf(output.schema),
    },
  };
}

/** Adds the ask to a built request (returns a new one); `words` leaves it as is (the prompt carries it). */
export function withStructuredOutput(
  req: ChatRequest,
  output: OutputSpec | undefined,
  mode: StructuredOutputMode,
): ChatRequest {
  if (!output) return req;
  const used = effectiveMode(mode, output);
  if (used === 'json_schema')
    return {
      ...req,
      responseFormat: {
        type: 'json_schema',
        json_schema: { name: output.name ?? 'answer', schema: output.schema, strict: false },
      },
    };
  if (used === 'words') return req;
  const others = req.tools ?? [];
  return {
    ...req,
    tools: [...others, respondToolSpec(output)],
    // Alone, the call is forced by name; beside the agent's own tools, some call is required each step, so the
    // agent may still look things up but can only end by responding.
    toolChoice: others.length ? 'required' : { type: 'function', function: { name: RESPOND_TOOL } },
  };
}

/** The answer a `respond` call carries, as the JSON text the caller checks (a wrapped schema is unwrapped). */
export function answerOfRespondCall(argumentsJson: string, output: OutputSpec): string {
  if (isObjectSchema(output.schema)) return argumentsJson;
  try {
    const args = JSON.parse(argumentsJson) as Record<string, unknown>;
    return JSON.stringify(args?.[WRAPPED] ?? null);
  } catch {
    return argumentsJson;
  }
}

/** The user's text with the schema in words, unless it already gives that schema (a re-ask does). */
export function promptWithSchemaInWords(text: string, output: OutputSpec): string {
  const schema = JSON.stringify(output.schema);
  if (text.includes(schema)) return text;
  return `${text}\n\nReply with only a JSON object matching this JSON Schema, no prose: ${schema}`;
}
