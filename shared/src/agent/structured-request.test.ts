import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../model/model-client.ts';
import {
  answerOfRespondCall,
  effectiveMode,
  promptWithSchemaInWords,
  RESPOND_TOOL,
  withStructuredOutput,
} from './structured-request.ts';

const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'q' }] };
const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
const read = { type: 'function' as const, function: { name: 'read_file', parameters: { type: 'object' } } };

describe('how a schema-bound turn asks', () => {
  it('json_schema: the schema goes as response_format, nothing else changes', () => {
    const req = withStructuredOutput(base, { schema, name: 'plan' }, 'json_schema');
    expect(req.responseFormat).toEqual({ type: 'json_schema', json_schema: { name: 'plan', schema, strict: false } });
    expect(req.tools).toBeUndefined();
    expect(req.toolChoice).toBeUndefined();
  });

  it('tool: a respond tool with the schema as parameters, forced by name alone, required beside other tools', () => {
    const alone = withStructuredOutput(base, { schema }, 'tool');
    expect(alone.tools?.map((t) => [t.function.name, t.function.parameters])).toEqual([[RESPOND_TOOL, schema]]);
    expect(alone.toolChoice).toEqual({ type: 'function', function: { name: RESPOND_TOOL } });
    const beside = withStructuredOutput({ ...base, tools: [read] }, { schema }, 'tool');
    expect(beside.tools?.map((t) => t.function.name)).toEqual(['read_file', RESPOND_TOOL]);
    expect(beside.toolChoice).toBe('required');
  });

  it('words: the request is left as it is (the prompt carries the schema), once only', () => {
    expect(withStructuredOutput(base, { schema }, 'words')).toBe(base);
    const once = promptWithSchemaInWords('Plan it.', { schema });
    expect(once).toBe(
      `Plan it.\n\nReply with only a JSON object matching this JSON Schema, no prose: ${JSON.stringify(schema)}`,
    );
    expect(promptWithSchemaInWords(once, { schema })).toBe(once);
  });

  it('a schema that is not an object goes wrapped in a respond call, and comes back unwrapped', () => {
    const list = { type: 'array', items: { type: 'string' } };
    expect(effectiveMode('json_schema', { schema: list })).toBe('tool');
    const req = withStructuredOutput(base, { schema: list }, 'json_schema');
    expect(req.responseFormat).toBeUndefined();
    expect(req.tools?.[0]?.function.parameters).toMatchObject({ properties: { value: list }, required: ['value'] });
    expect(answerOfRespondCall('{"value":["a","b"]}', { schema: list })).toBe('["a","b"]');
    expect(answerOfRespondCall('{"a":"x"}', { schema })).toBe('{"a":"x"}');
  });
});
