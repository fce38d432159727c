import { describe, expect, it } from 'vitest';
import { inspectWorkflow } from '../src/engine/run-workflow.ts';
import type { WorkflowError } from '../src/engine/workflow-error.ts';
import { checkScript } from '../src/script/check-script.ts';
import { META, runBody } from './run-helpers.ts';
import { scriptedAgent } from './scripted-agent.ts';

function refusal(source: string) {
  const inspected = inspectWorkflow(source);
  if (inspected.ok) throw new Error('expected the script to be refused');
  return inspected.error;
}

describe('meta rules', () => {
  it('reads a pure meta literal with name, description, phases and whenToUse', () => {
    const result = inspectWorkflow(`export const meta = {
      name: 'review', description: \`Reviews a diff\`, phases: ['read', { title: 'judge' }], whenToUse: 'on a PR',
      'quoted-key': -1, nested: { ok: [true, null, 2.5] },
    };
    return 1;`);
    expect(result).toEqual({
      ok: true,
      meta: {
        name: 'review',
        description: 'Reviews a diff',
        phases: ['read', { title: 'judge' }],
        whenToUse: 'on a PR',
        'quoted-key': -1,
        nested: { ok: [true, null, 2.5] },
      },
    });
  });

  it('refuses a script whose first statement is not export const meta', () => {
    expect(refusal(`const x = 1;\nexport const meta = { name: 'a', description: 'b' };`)).toMatchObject({
      code: 'META_INVALID',
      message: expect.stringContaining('first statement must be `export const meta'),
    });
    expect(refusal(`return 1;`).code).toBe('META_INVALID');
    expect(refusal(`export let meta = { name: 'a', description: 'b' };`).code).toBe('META_INVALID');
    expect(refusal(`export const info = { name: 'a', description: 'b' };`).code).toBe('META_INVALID');
  });

  it.each([
    ['a call', `{ name: String('a'), description: 'b' }`, 'a call'],
    ['a spread', `{ ...base, name: 'a', description: 'b' }`, 'a spread'],
    ['an identifier', `{ name: NAME, description: 'b' }`, 'the identifier `NAME`'],
    ['a shorthand property', `{ name, description: 'b' }`, 'the identifier `name`'],
    ['template interpolation', `{ name: \`a\${1}\`, description: 'b' }`, 'template interpolation'],
    ['a computed key', `{ ['name']: 'a', description: 'b' }`, 'a computed key'],
    ['a method', `{ name: 'a', description: 'b', run() {} }`, 'a method or accessor'],
  ])('refuses meta with %s', (_what, literal, detail) => {
    const error = refusal(`export const meta = ${literal};\nreturn 1;`);
    expect(error.code).toBe('META_INVALID');
    expect(error.message).toContain(`meta must be a pure object literal: ${detail}`);
  });

  it('refuses meta without a name or description', () => {
    const error = refusal(`export const meta = { description: 'no name' };`);
    expect(error).toMatchObject({ code: 'META_INVALID', message: expect.stringContaining('name') });
    expect(refusal(`export const meta = { name: 'x' };`).message).toContain('description');
  });

  it('refuses an export after the meta statement', () => {
    expect(refusal(`${META}export const result = 1;`).code).toBe('IMPORT_REFUSED');
  });

  it('refuses a bad meta before running anything', async () => {
    const agent = scriptedAgent();
    const { outcome, store } = await runBody('', {
      source: `export const meta = { name: f(), description: 'x' };\nawait agent('never');`,
      runAgent: agent.runAgent,
    });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'META_INVALID' } });
    expect(agent.prompts).toEqual([]);
    expect(store.state.attempts).toBe(0);
  });

  it('keeps line numbers of the script in error messages', async () => {
    const { outcome } = await runBody(`\n\nnull.boom;`);
    expect(outcome.error?.message).toMatch(/TypeError: .*\(line 4\)/);
  });

  it('exposes meta to the body as a frozen constant', async () => {
    const { outcome } = await runBody(`return meta.name;`);
    expect(outcome.result).toBe('test');
  });
});

describe('refused import, require and TypeScript', () => {
  it('refuses an import declaration before the run starts', () => {
    const error = refusal(`import fs from 'node:fs';\n${META}`);
    expect(error.code).toBe('IMPORT_REFUSED');
    expect(error.message).toMatch(/line 1: `import` is not available/);
  });

  it('refuses a dynamic import() and import.meta', () => {
    expect(refusal(`${META}const m = await import('x');`).code).toBe('IMPORT_REFUSED');
    expect(refusal(`${META}return import.meta.url;`).code).toBe('IMPORT_REFUSED');
  });

  it('refuses require()', () => {
    const error = refusal(`${META}const fs = require('fs');`);
    expect(error.code).toBe('REQUIRE_REFUSED');
    expect(error.message).toContain('line 2: `require` is not available');
  });

  it.each([
    ['a type annotation', `const n: number = 1;`],
    ['an interface', `interface Finding { file: string }`],
    ['a type alias', `type Verdict = 'ok' | 'no';`],
    ['a typed parameter', `function f(x: string) { return x; }`],
    ['an as cast', `const v = args as Record<string, string>;`],
  ])('refuses TypeScript syntax: %s', (_what, line) => {
    const error = refusal(`${META}${line}\nreturn 1;`);
    expect(error.code).toBe('TYPESCRIPT_SYNTAX');
    expect(error.message).toContain('TypeScript syntax is not supported');
  });

  it('reports other syntax errors as such', () => {
    expect(refusal(`${META}const = 1;`).code).toBe('SYNTAX_ERROR');
  });

  it('accepts top-level await and top-level return', () => {
    const checked = checkScript(`${META}const x = await Promise.resolve(1);\nif (x) return x;`);
    expect(checked.program).toContain('async function');
  });
});

describe('where a refusal is (for an editor to mark the line)', () => {
  function locate(source: string) {
    try {
      checkScript(source);
    } catch (error) {
      return (error as WorkflowError).location;
    }
    throw new Error('expected the script to be refused');
  }
  const meta = `export const meta = { name: 'a', description: 'b' };\n`;

  it('puts a syntax error, TypeScript and an import on the line they are written on', () => {
    expect(locate(`${meta}const x = 1;\nconst y = ;\n`)?.start).toEqual({ line: 3, column: 10 });
    expect(locate(`${meta}\nconst n: number = 1;\n`)?.start.line).toBe(3);
    expect(locate(`${meta}const x = 1;\n\nimport fs from 'node:fs';\n`)).toEqual({
      start: { line: 4, column: 0 },
      end: { line: 4, column: 25 },
    });
    expect(locate(`${meta}\n\nconst m = await import('x');\n`)?.start).toEqual({ line: 4, column: 16 });
    expect(locate(`${meta}\nconst fs = require('fs');\n`)?.start.line).toBe(3);
    expect(locate(`${meta}\nexport const other = 1;\n`)?.start.line).toBe(3);
  });

  it('puts a meta problem on the meta: the first statement, the impure value, the bad property', () => {
    expect(locate(`\nconst x = 1;\nexport const meta = { name: 'a', description: 'b' };`)?.start.line).toBe(2);
    expect(locate(`export const meta = {\n  name: 'a',\n  description: String(1),\n};`)?.start).toEqual({
      line: 3,
      column: 15,
    });
    expect(locate(`export const meta = {\n  description: 'b',\n  name: 42,\n};`)?.start.line).toBe(3);
    expect(locate(`export const meta = {\n  name: 'a',\n};`)?.start.line).toBe(1);
  });
});
