// Reads `meta` without running anything: only literals, plain object and array literals and
// template strings without interpolation are allowed, so listing workflows never executes them.
import type { Node } from 'acorn';
import { WorkflowError } from '../engine/workflow-error.ts';

type AnyNode = Node & Record<string, unknown>;

export function readMetaLiteral(node: AnyNode): unknown {
  switch (node.type) {
    case 'ObjectExpression':
      return readObject(node);
    case 'ArrayExpression':
      return (node.elements as (AnyNode | null)[]).map((element) => {
        if (!element) throw impure(node, 'an array hole');
        return readMetaLiteral(element);
      });
    case 'Literal':
      if (node.regex || node.bigint !== undefined) throw impure(node, 'a regular expression or bigint');
      return node.value;
    case 'TemplateLiteral': {
      if ((node.expressions as AnyNode[]).length > 0) throw impure(node, 'template interpolation');
      const quasis = node.quasis as { value: { cooked: string } }[];
      return quasis[0]?.value.cooked ?? '';
    }
    case 'UnaryExpression': {
      const argument = node.argument as AnyNode;
      if ((node.operator === '-' || node.operator === '+') && argument.type === 'Literal') {
        if (typeof argument.value === 'number') return node.operator === '-' ? -argument.value : argument.value;
      }
      throw impure(node, `the operator ${String(node.operator)}`);
    }
    case 'SpreadElement':
      throw impure(node, 'a spread');
    case 'Identifier':
      throw impure(node, `the identifier \`${String(node.name)}\``);
    case 'CallExpression':
    case 'NewExpression':
      throw impure(node, 'a call');
    default:
      throw impure(node, `a ${node.type}`);
  }
}

function readObject(node: AnyNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const property of node.properties as AnyNode[]) {
    if (property.type === 'SpreadElement') throw impure(property, 'a spread');
    if (property.computed) throw impure(property, 'a computed key');
    if (property.kind !== 'init' || property.method) throw impure(property, 'a method or accessor');
    if (property.shorthand) throw impure(property, `the identifier \`${String((property.key as AnyNode).name)}\``);
    const key = property.key as AnyNode;
    const name = key.type === 'Identifier' ? key.name : key.value;
    Object.defineProperty(out, String(name), {
      value: readMetaLiteral(property.value as AnyNode),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function impure(node: Node, what: string): WorkflowError {
  const line = node.loc ? ` (line ${node.loc.start.line})` : '';
  return new WorkflowError(
    'META_INVALID',
    `meta must be a pure object literal: ${what}${line} is not allowed (no calls, spreads, identifiers or template interpolation).`,
    node.loc ? { start: { ...node.loc.start }, end: { ...node.loc.end } } : undefined,
  );
}
