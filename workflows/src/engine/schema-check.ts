// Refuses an agent's JSON Schema that could never be answered, before any model is asked: a
// keyword the validator would silently ignore, a $ref that resolves nowhere, constraints that
// contradict each other. Says where, as a path into the schema. What passes is compiled once.
//
// zod (the project's schema library) validates; no JSON Schema library decides whether a schema
// can be satisfied, so the contradictions are checked here. Ajv was not taken: it compiles with
// `new Function`, which the worker's strict CSP (no unsafe-eval) forbids, and it would be a second
// validator next to zod with different semantics.
import { z } from 'zod';
import { compileSchema, type SchemaCheck } from './schema-output.ts';

type Schema = Record<string, unknown> | boolean;

/** Keywords zod's fromJSONSchema honours; any other keyword would be ignored while validating. */
const SUPPORTED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
  'minContains',
  'maxContains',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'allOf',
  'anyOf',
  'oneOf',
  '$ref',
  '$defs',
  'definitions',
  'nullable',
]);
/** Annotations: no effect on validation, harmless. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  '$schema',
  '$id',
  '$comment',
  'readOnly',
  'writeOnly',
  'deprecated',
]);
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMAS = ['additionalProperties', 'propertyNames', 'items', 'additionalItems', 'contains'];
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

export class SchemaProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`at ${path}: ${problem}`);
  }
}

/** Checks and compiles `schema`; throws a SchemaProblem naming where it cannot be used. */
export function prepareSchema(schema: Record<string, unknown>): (text: string) => SchemaCheck {
  walk(schema, schema, '(root)');
  try {
    return compileSchema(schema);
  } catch (error) {
    throw new SchemaProblem('(root)', error instanceof Error ? error.message : String(error));
  }
}

function walk(root: Record<string, unknown>, schema: Schema, path: string): void {
  if (typeof schema === 'boolean') return;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new SchemaProblem(path, 'a schema must be an object or a boolean');
  }
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED.has(key) && !ANNOTATIONS.has(key)) {
      throw new SchemaProblem(path, `"${key}" is not supported (the answer could not be checked against it)`);
    }
  }
  if (typeof schema.$ref === 'string') resolveRef(root, schema.$ref, path);
  contradictions(schema, path);
  for (const key of SUBSCHEMA_MAPS) {
    const map = schema[key];
    if (map && typeof map === 'object') {
      for (const [name, sub] of Object.entries(map)) walk(root, sub as Schema, `${path}.${key}.${name}`);
    }
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const [i, sub] of list.entries()) walk(root, sub as Schema, `${path}.${key}[${i}]`);
  }
  for (const key of SUBSCHEMAS) {
    const sub = schema[key];
    if (Array.isArray(sub)) {
      for (const [i, s] of sub.entries()) walk(root, s as Schema, `${path}.${key}[${i}]`);
    } else if (sub !== undefined) walk(root, sub as Schema, `${path}.${key}`);
  }
}

function resolveRef(root: Record<string, unknown>, ref: string, path: string): void {
  if (!ref.startsWith('#')) throw new SchemaProblem(path, `$ref "${ref}" points outside the schema (only "#/…" refs)`);
  let target: unknown = root;
  const parts = ref === '#' ? [] : ref.slice(2).split('/');
  for (const raw of parts) {
    const part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    target =
      target && typeof target === 'object' && Object.hasOwn(target, part)
        ? (target as Record<string, unknown>)[part]
        : undefined;
    if (target === undefined) throw new SchemaProblem(path, `$ref "${ref}" resolves to nothing`);
  }
}

function typesOf(schema: Record<string, unknown>): Set<string> | undefined {
  const type = schema.type;
  if (type === undefined) return undefined;
  const list = Array.isArray(type) ? type : [type];
  const types = new Set<string>();
  for (const t of list) {
    if (typeof t !== 'string' || !TYPES.has(t)) throw new Error(`unknown type ${JSON.stringify(t)}`);
    types.add(t);
  }
  if (schema.nullable === true) types.add('null');
  return types;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function allows(types: Set<string>, value: unknown): boolean {
  const t = jsonType(value);
  return types.has(t) || (t === 'integer' && types.has('number'));
}

function contradictions(schema: Record<string, unknown>, path: string): void {
  const fail = (problem: string) => {
    throw new SchemaProblem(path, problem);
  };
  let types: Set<string> | undefined;
  try {
    types = typesOf(schema);
  } catch (error) {
    fail((error as Error).message);
  }
  if (types?.size === 0) fail('"type" lists no type: nothing can match');
  const pairs: [string, string][] = [
    ['minimum', 'maximum'],
    ['minLength', 'maxLength'],
    ['minItems', 'maxItems'],
    ['minProperties', 'maxProperties'],
    ['minContains', 'maxContains'],
  ];
  for (const [low, high] of pairs) {
    const a = schema[low];
    const b = schema[high];
    if (typeof a === 'number' && typeof b === 'number' && a > b) fail(`${low} ${a} is greater than ${high} ${b}`);
  }
  const lowest = [schema.minimum, schema.exclusiveMinimum].filter((n) => typeof n === 'number') as number[];
  const highest = [schema.maximum, schema.exclusiveMaximum].filter((n) => typeof n === 'number') as number[];
  if (typeof schema.exclusiveMinimum === 'number' || typeof schema.exclusiveMaximum === 'number') {
    const lo = Math.max(...lowest);
    const hi = Math.min(...highest);
    if (lowest.length && highest.length && lo >= hi) fail(`no number is above ${lo} and below ${hi}`);
  }
  if (typeof schema.multipleOf === 'number' && !(schema.multipleOf > 0)) fail('multipleOf must be greater than 0');
  if (typeof schema.pattern === 'string') {
    try {
      new RegExp(schema.pattern, 'u');
    } catch (error) {
      fail(`pattern is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  if (Array.isArray(schema.enum) && schema.enum.length === 0) fail('"enum" is empty: nothing can match');
  const listed = schema.const !== undefined ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
  if (listed && types && !listed.some((v) => allows(types, v))) {
    fail(`none of the allowed values is of type ${[...types].join(' or ')}`);
  }
  if (listed && !schema.$ref && !listed.some((v) => satisfiesRest(schema, v))) {
    fail('none of the allowed values ("const"/"enum") meets the other constraints');
  }
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const name of required) {
    const declared = Object.hasOwn(properties, name);
    if (declared && properties[name] === false) fail(`"${name}" is required but its schema is false`);
    if (!declared && schema.additionalProperties === false && !schema.patternProperties) {
      fail(`"${name}" is required but additionalProperties is false and it is not in properties`);
    }
  }
  if (typeof schema.maxProperties === 'number' && required.length > schema.maxProperties) {
    fail(`${required.length} properties are required but maxProperties is ${schema.maxProperties}`);
  }
  if (Array.isArray(schema.allOf)) {
    let common = types;
    for (const sub of schema.allOf) {
      if (!sub || typeof sub !== 'object') continue;
      let subTypes: Set<string> | undefined;
      try {
        subTypes = typesOf(sub as Record<string, unknown>);
      } catch {
        continue; // reported when the walk reaches that subschema
      }
      if (subTypes) common = common ? intersect(common, subTypes) : subTypes;
    }
    if (common?.size === 0) fail('the "allOf" schemas ask for types no value has at once');
  }
}

/** Types a value can have under both sets ("integer" is a kind of "number"). */
function intersect(a: Set<string>, b: Set<string>): Set<string> {
  const both = new Set<string>();
  for (const t of a) {
    if (b.has(t)) both.add(t);
    else if (t === 'integer' && b.has('number')) both.add('integer');
    else if (t === 'number' && b.has('integer')) both.add('integer');
  }
  return both;
}

/** Whether `value` passes the schema's other keywords (those without refs). */
function satisfiesRest(schema: Record<string, unknown>, value: unknown): boolean {
  const { const: _c, enum: _e, ...rest } = schema;
  if (JSON.stringify(rest).includes('"$ref"')) return true;
  try {
    return z.fromJSONSchema(rest as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value).success;
  } catch {
    return true; // the compile of the whole schema reports it
  }
}
