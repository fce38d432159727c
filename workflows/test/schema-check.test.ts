// A schema that can never be answered fails when agent() is called, naming where, with no model
// asked; one that can be answered still works, and is compiled once for many agents.
import { describe, expect, it } from 'vitest';
import { prepareSchema } from '../src/engine/schema-check.ts';
import { runBody } from './run-helpers.ts';
import { scriptedAgent } from './scripted-agent.ts';

const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  ...extra,
});

const REFUSED: [string, Record<string, unknown>, string][] = [
  [
    'minimum above maximum',
    obj({ score: { type: 'number', minimum: 5, maximum: 1 } }),
    'at (root).properties.score: minimum 5 is greater than maximum 1',
  ],
  [
    'a $ref that resolves nowhere',
    obj({ item: { $ref: '#/$defs/missing' } }),
    'at (root).properties.item: $ref "#/$defs/missing" resolves to nothing',
  ],
  [
    'an external $ref',
    obj({ item: { $ref: 'https://example.com/s.json' } }),
    'at (root).properties.item: $ref "https://example.com/s.json" points outside the schema',
  ],
  ['an empty enum', obj({ kind: { enum: [] } }), 'at (root).properties.kind: "enum" is empty'],
  [
    'a const of the wrong type',
    obj({ n: { type: 'number', const: 'three' } }),
    'at (root).properties.n: none of the allowed values is of type number',
  ],
  [
    'enum values that break the other constraints',
    obj({ word: { type: 'string', minLength: 5, enum: ['a', 'bb'] } }),
    'at (root).properties.word: none of the allowed values ("const"/"enum") meets the other constraints',
  ],
  [
    'a required property additionalProperties forbids',
    { type: 'object', properties: {}, required: ['x'], additionalProperties: false },
    'at (root): "x" is required but additionalProperties is false',
  ],
  [
    'allOf with types that exclude each other',
    obj({ v: { allOf: [{ type: 'string' }, { type: 'number' }] } }),
    'at (root).properties.v: the "allOf" schemas ask for types no value has at once',
  ],
  [
    'an exclusive range with no room',
    obj({ n: { type: 'number', exclusiveMinimum: 3, maximum: 3 } }),
    'at (root).properties.n: no number is above 3 and below 3',
  ],
  [
    'an unsupported keyword',
    obj({ a: { type: 'string' } }, { dependentRequired: { a: ['b'] } }),
    'at (root): "dependentRequired" is not supported',
  ],
  [
    'an invalid pattern',
    obj({ s: { type: 'string', pattern: '(' } }),
    'at (root).properties.s: pattern is not a valid regular expression',
  ],
];

describe('schemas that cannot be answered', () => {
  for (const [what, schema, message] of REFUSED) {
    it(`${what}: agent() throws naming where, and no model is asked`, async () => {
      const agent = scriptedAgent(() => '{}');
      const { outcome, store } = await runBody(`return await agent('answer', { schema: ${JSON.stringify(schema)} });`, {
        runAgent: agent.runAgent,
      });
      expect(outcome.status).toBe('failed');
      expect(outcome.error?.message).toContain(`agent(): opts.schema cannot be used, ${message}`);
      expect(agent.prompts).toEqual([]);
      expect(store.state.agents).toEqual([]);
      expect(outcome.tokens).toBe(0);
    });
  }
});

describe('schemas that can be answered', () => {
  it('pass, with refs, ranges, enums and allOf that agree', () => {
    const schema = {
      type: 'object',
      $defs: { score: { type: 'integer', minimum: 0, maximum: 10 } },
      properties: {
        score: { $ref: '#/$defs/score' },
        level: { type: 'string', enum: ['low', 'high'] },
        n: { allOf: [{ type: 'number' }, { type: 'integer' }], exclusiveMinimum: 0, maximum: 3 },
      },
      required: ['score', 'level'],
      additionalProperties: false,
    };
    const check = prepareSchema(schema);
    expect(check('{"score": 3, "level": "low", "n": 2}')).toEqual({
      ok: true,
      value: { score: 3, level: 'low', n: 2 },
    });
    expect(check('{"score": 11, "level": "low"}').ok).toBe(false);
  });

  it('a valid schema shared by many agents is asked of the model once per agent', async () => {
    const agent = scriptedAgent(() => '{"n": 1}', { tokens: 1 });
    const schema = JSON.stringify({ type: 'object', properties: { n: { type: 'number' } }, required: ['n'] });
    const { outcome } = await runBody(
      `return (await parallel(Array.from({ length: 20 }, (_, i) => () => agent('q' + i, { schema: ${schema} })))).length;`,
      { runAgent: agent.runAgent },
    );
    expect(outcome.result).toBe(20);
    expect(agent.prompts).toHaveLength(20);
  });
});
