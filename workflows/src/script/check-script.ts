// Static checks on a workflow script before anything runs: it must parse as plain JavaScript,
// must not import or require anything, and must start with a pure `export const meta = {...}`.
// Invariant: a script that passes has only the powers the sandbox gives it.
import { WorkflowMeta } from '@boocode/shared/workflow/run-record';
import { type Node, parse } from 'acorn';
import { type ScriptLocation, WorkflowError } from '../engine/workflow-error.ts';
import { readMetaLiteral } from './meta-literal.ts';
import { looksLikeTypeScript } from './typescript-hint.ts';

export interface CheckedScript {
  meta: WorkflowMeta;
  /** The body as one expression evaluating to a promise of the script's return value. */
  program: string;
}

type AnyNode = Node & Record<string, unknown>;

export function checkScript(source: string): CheckedScript {
  const ast = parseScript(source);
  refuseOutsideAccess(ast);
  const first = ast.body[0];
  const meta = readMeta(first);
  refuseLaterExports(ast.body);
  return { meta, program: wrapBody(source, first!, meta) };
}

function parseScript(source: string): AnyNode & { body: AnyNode[] } {
  try {
    return parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      allowReturnOutsideFunction: true,
      locations: true,
    }) as unknown as AnyNode & { body: AnyNode[] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = parserLocation(error);
    if (looksLikeTypeScript(source)) {
      throw new WorkflowError(
        'TYPESCRIPT_SYNTAX',
        `TypeScript syntax is not supported: workflow scripts are plain JavaScript (remove type annotations, interfaces, 'as' casts and generics). Parser: ${message}`,
        at,
      );
    }
    throw new WorkflowError('SYNTAX_ERROR', `The script does not parse as JavaScript: ${message}`, at);
  }
}

/** import, import(), import.meta and require(): a script's only powers are the sandbox's. */
function refuseOutsideAccess(ast: AnyNode & { body: AnyNode[] }): void {
  walk(ast, (node) => {
    if (node.type === 'ImportDeclaration' || node.type === 'ImportExpression' || node.type === 'MetaProperty') {
      throw new WorkflowError(
        'IMPORT_REFUSED',
        `${where(node)}: \`import\` is not available in workflow scripts; their only powers are agent, parallel, pipeline, phase, log, budget, args and workflow.`,
        locationOf(node),
      );
    }
    if (node.type === 'CallExpression') {
      const callee = node.callee as AnyNode;
      if (callee.type === 'Identifier' && callee.name === 'require') {
        throw new WorkflowError(
          'REQUIRE_REFUSED',
          `${where(node)}: \`require\` is not available in workflow scripts; they have no module, file or network access.`,
          locationOf(node),
        );
      }
    }
  });
}

function refuseLaterExports(body: AnyNode[]): void {
  for (const statement of body.slice(1)) {
    if (statement.type.startsWith('Export')) {
      throw new WorkflowError(
        'IMPORT_REFUSED',
        `${where(statement)}: only the first statement may be an export (\`export const meta = {...}\`); return the result instead.`,
        locationOf(statement),
      );
    }
  }
}

function readMeta(first: AnyNode | undefined): WorkflowMeta {
  const expected = 'The first statement must be `export const meta = { name, description, phases?, whenToUse? }`';
  if (first?.type !== 'ExportNamedDeclaration') {
    throw new WorkflowError(
      'META_INVALID',
      `${expected}${first ? ` (found ${first.type} at ${where(first)})` : ''}.`,
      first ? locationOf(first) : undefined,
    );
  }
  const declaration = first.declaration as AnyNode | null;
  const declarators = (declaration?.declarations ?? []) as AnyNode[];
  const declarator = declarators[0];
  const id = declarator?.id as AnyNode | undefined;
  if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const' || declarators.length !== 1) {
    throw new WorkflowError('META_INVALID', `${expected}.`, locationOf(first));
  }
  if (
    id?.type !== 'Identifier' ||
    id.name !== 'meta' ||
    (declarator!.init as AnyNode | null)?.type !== 'ObjectExpression'
  ) {
    throw new WorkflowError('META_INVALID', `${expected}: meta must be an object literal.`, locationOf(first));
  }
  const init = declarator!.init as AnyNode;
  const literal = readMetaLiteral(init);
  const parsed = WorkflowMeta.safeParse(literal);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'meta'}: ${i.message}`).join('; ');
    const first = parsed.error.issues[0]?.path[0];
    throw new WorkflowError(
      'META_INVALID',
      `meta is invalid: ${issues}.`,
      locationOf(metaProperty(init, first) ?? init),
    );
  }
  return parsed.data;
}

/**
 * Blank out the meta statement (keeping its newlines so line numbers in errors still match the
 * file) and wrap the rest in an async function, which gives top-level await and return.
 */
function wrapBody(source: string, first: AnyNode, meta: WorkflowMeta): string {
  const metaText = source.slice(first.start, first.end).replace(/[^\n]/g, '');
  const body = source.slice(0, first.start) + metaText + source.slice(first.end);
  return `(async function () { 'use strict'; const meta = Object.freeze(${JSON.stringify(meta)}); ${body}\n})()`;
}

function walk(node: unknown, visit: (node: AnyNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (node === null || typeof node !== 'object' || typeof (node as { type?: unknown }).type !== 'string') return;
  visit(node as AnyNode);
  for (const [key, child] of Object.entries(node)) {
    if (key !== 'loc' && child !== null && typeof child === 'object') walk(child, visit);
  }
}

/** The meta property named `key` (to mark a bad value where it is written), if it is there. */
function metaProperty(object: AnyNode, key: PropertyKey | undefined): AnyNode | undefined {
  if (typeof key !== 'string') return undefined;
  return (object.properties as AnyNode[]).find((p) => {
    const k = p.key as AnyNode | undefined;
    return k && !p.computed && (k.name === key || k.value === key);
  });
}

export function locationOf(node: Node): ScriptLocation | undefined {
  return node.loc ? { start: { ...node.loc.start }, end: { ...node.loc.end } } : undefined;
}

/** acorn's SyntaxError carries `loc` ({ line, column }) of the point where parsing stopped. */
function parserLocation(error: unknown): ScriptLocation | undefined {
  const loc = (error as { loc?: { line?: unknown; column?: unknown } } | null)?.loc;
  if (typeof loc?.line !== 'number' || typeof loc.column !== 'number') return undefined;
  const at = { line: loc.line, column: loc.column };
  return { start: at, end: { line: at.line, column: at.column + 1 } };
}

export function where(node: Node): string {
  return node.loc ? `line ${node.loc.start.line}` : `offset ${node.start}`;
}
