import { describe, expect, it } from 'vitest';
import { scriptDiagnostics } from './script-diagnostics.ts';

const META = `export const meta = { name: 'a', description: 'b' };\n`;

/** The text a diagnostic marks, and the line it says. */
function marked(source: string) {
  const [d] = scriptDiagnostics(source);
  if (!d) throw new Error('expected a diagnostic');
  return { text: source.slice(d.from, d.to), line: d.line, code: d.code };
}

describe('scriptDiagnostics', () => {
  it('has nothing to say about a script the engine accepts', () => {
    expect(scriptDiagnostics(`${META}return await agent('hi');\n`)).toEqual([]);
  });

  it('marks an import on its own line, with the engine’s code and words', () => {
    const source = `${META}const a = 1;\nimport fs from 'node:fs';\nreturn a;\n`;
    expect(marked(source)).toEqual({ text: "import fs from 'node:fs';", line: 3, code: 'IMPORT_REFUSED' });
    expect(scriptDiagnostics(source)[0]?.message).toContain('`import` is not available');
  });

  it('marks TypeScript and syntax errors where the parser stopped', () => {
    expect(marked(`${META}\nconst n: number = 1;\n`)).toMatchObject({ text: ':', line: 3, code: 'TYPESCRIPT_SYNTAX' });
    const cut = `${META}return (`;
    const d = scriptDiagnostics(cut)[0];
    expect(d).toMatchObject({ line: 2, code: 'SYNTAX_ERROR' });
    expect(d!.to).toBeGreaterThan(d!.from);
    expect(d!.to).toBeLessThanOrEqual(cut.length);
  });

  it('marks an impure meta value, and a missing meta on the first statement', () => {
    expect(marked(`export const meta = {\n  name: 'a',\n  description: String(1),\n};`)).toEqual({
      text: 'String(1)',
      line: 3,
      code: 'META_INVALID',
    });
    expect(marked(`// a comment\nreturn 1;\n`)).toEqual({ text: 'return 1;', line: 2, code: 'META_INVALID' });
  });
});
