// File tools through the runner: edit_file's exact-match rules, write_file creating directories
// inside the root only, list_files and grep honouring .gitignore, and the approval gate on writes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileText, type RunnerFixture, startRunner } from './runner-fixture.ts';

let f: RunnerFixture;
beforeAll(async () => {
  f = await startRunner();
  await writeFile(join(f.workspace, 'app.ts'), 'const a = 1;\nconst b = 1;\nexport { a, b };\n');
  await writeFile(join(f.workspace, '.gitignore'), 'dist/\n*.log\n');
  await mkdir(join(f.workspace, 'dist'));
  await writeFile(join(f.workspace, 'dist', 'bundle.js'), 'const a = 1;\n');
  await writeFile(join(f.workspace, 'debug.log'), 'const a = 1;\n');
  await mkdir(join(f.workspace, 'pkg', 'gen'), { recursive: true });
  await writeFile(join(f.workspace, 'pkg', '.gitignore'), 'gen/\n');
  await writeFile(join(f.workspace, 'pkg', 'gen', 'out.ts'), 'const a = 1;\n');
  await writeFile(join(f.workspace, 'pkg', 'index.ts'), 'export const a = 1;\n');
});
afterAll(() => f.close());

const tool = (name: string, input: unknown, approved = true) => f.post(`/tools/${name}`, { input, approved });

describe('edit_file', () => {
  it('fails clearly when the text is absent, and leaves the file alone', async () => {
    const res = await tool('edit_file', { path: 'app.ts', oldText: 'const c = 1;', newText: 'x' });
    expect(res.status).toBe(422);
    expect(res.json().code).toBe('MATCH_NOT_FOUND');
    expect(res.json().message).toMatch(/not found in "app.ts"/);
    expect(await fileText(join(f.workspace, 'app.ts'))).toBe('const a = 1;\nconst b = 1;\nexport { a, b };\n');
  });
  it('fails clearly when the text is not unique, with the count, and leaves the file alone', async () => {
    const res = await tool('edit_file', { path: 'app.ts', oldText: ' = 1;', newText: ' = 2;' });
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ code: 'MATCH_NOT_UNIQUE', details: { occurrences: 2 } });
    expect(await fileText(join(f.workspace, 'app.ts'))).toContain('const b = 1;');
  });
  it('replaces a unique match literally ($& stays as written)', async () => {
    const res = await tool('edit_file', { path: 'app.ts', oldText: 'const b = 1;', newText: "const b = '$&';" });
    expect(res.json()).toEqual({ path: 'app.ts', replacements: 1 });
    expect(await fileText(join(f.workspace, 'app.ts'))).toContain("const b = '$&';");
  });
  it('replaces every match with replaceAll', async () => {
    await writeFile(join(f.workspace, 'many.txt'), 'x x x');
    const res = await tool('edit_file', { path: 'many.txt', oldText: 'x', newText: 'y', replaceAll: true });
    expect(res.json().replacements).toBe(3);
    expect(await fileText(join(f.workspace, 'many.txt'))).toBe('y y y');
  });
  it('rejects unknown fields with a 400 instead of ignoring them', async () => {
    const res = await tool('edit_file', { path: 'app.ts', oldText: 'a', newText: 'b', old_string: 'a' });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(res.json().message).toMatch(/old_string/);
  });
});

describe('write_file', () => {
  it('returns the change against what was there when it overwrites a file, and no diff for a new one', async () => {
    await writeFile(join(f.workspace, 'notes.txt'), 'one\ntwo\nthree\n');
    const res = await tool('write_file', { path: 'notes.txt', content: 'one\n2\nthree\n' });
    expect(res.json()).toMatchObject({ created: false, diff: '@@ -1,3 +1,3 @@\n one\n-two\n+2\n three' });
    const fresh = await tool('write_file', { path: 'fresh.txt', content: 'x\n' });
    expect(fresh.json()).toEqual({ path: 'fresh.txt', bytesWritten: 2, created: true });
  });
  it('creates missing directories inside the root', async () => {
    const res = await tool('write_file', { path: 'src/deep/er/new.ts', content: 'export {};\n' });
    expect(res.json()).toEqual({ path: 'src/deep/er/new.ts', bytesWritten: 11, created: true });
    expect(await fileText(join(f.workspace, 'src/deep/er/new.ts'))).toBe('export {};\n');
  });
  it('does not create directories outside the root', async () => {
    const res = await tool('write_file', { path: '../ws-outside/made/x.ts', content: 'x' });
    expect(res.json().code).toBe('PATH_OUTSIDE_WORKSPACE');
    expect(await fileText(join(f.outside, 'made/x.ts'))).toBeUndefined();
  });
  it('needs approval unless a rule allows it', async () => {
    const res = await tool('write_file', { path: 'unapproved.txt', content: 'x' }, false);
    expect(res.status).toBe(403);
    expect(res.json().code).toBe('APPROVAL_REQUIRED');
    expect(await fileText(join(f.workspace, 'unapproved.txt'))).toBeUndefined();
  });
});

describe('read tools', () => {
  it('read_file runs without approval and returns a line range', async () => {
    const res = await tool('read_file', { path: 'app.ts', startLine: 1, endLine: 1 }, false);
    expect(res.json()).toMatchObject({ path: 'app.ts', content: 'const a = 1;', totalLines: 4 });
  });
  it('list_files leaves out what .gitignore files ignore, nested ones included', async () => {
    const res = await tool('list_files', {}, false);
    const entries: string[] = res.json().entries;
    expect(entries).toContain('app.ts');
    expect(entries).toContain('pkg/index.ts');
    expect(entries).not.toContain('dist/');
    expect(entries).not.toContain('debug.log');
    expect(entries).not.toContain('pkg/gen/');
    expect(entries.some((e) => e.startsWith('pkg/gen'))).toBe(false);
  });
  it('grep finds matches and skips ignored files', async () => {
    const res = await tool('grep', { pattern: 'const a = \\d' }, false);
    const paths = res.json().matches.map((m: { path: string }) => m.path);
    expect(paths).toContain('app.ts');
    expect(paths).not.toContain('dist/bundle.js');
    expect(paths).not.toContain('pkg/gen/out.ts');
  });
  it('grep reports an invalid pattern as a value', async () => {
    const res = await tool('grep', { pattern: '(' }, false);
    expect(res.json().code).toBe('INVALID_PATTERN');
  });
});

describe('approval rules in the runner', () => {
  it('runs an allowed command without approval, refuses a denied one even when approved', async () => {
    const rules = [
      { effect: 'allow', tool: 'run_command', command: 'echo *' },
      { effect: 'deny', tool: 'run_command', command: 'echo secret *' },
    ];
    const saved = await fetch(`${f.url}/approval/rules`, {
      method: 'PUT',
      headers: { ...f.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ rules }),
    });
    expect(saved.status).toBe(200);
    const allowed = await tool('run_command', { command: 'echo', args: ['hi'] }, false);
    expect(allowed.json().stdout).toBe('hi\n');
    const denied = await tool('run_command', { command: 'echo', args: ['secret', 'x'] }, true);
    expect(denied.status).toBe(403);
    expect(denied.json().code).toBe('DENIED_BY_RULE');
    const chained = await tool('run_command', { command: 'echo hi; touch chained', shell: true }, false);
    expect(chained.json().code).toBe('APPROVAL_REQUIRED');
    expect(await fileText(join(f.workspace, 'chained'))).toBeUndefined();
  });
});
