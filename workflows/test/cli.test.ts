// The headless command for scripts and CI: the final JSON line, exit codes (2 refused before the
// run, 1 failed during it, 0 completed), nested workflows from the project's folders and
// --workflows-dir, and --resume <runId> with the state file.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let root: string;
let project: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wf-cli-'));
  project = join(root, 'project');
  const wf = (dir: string, name: string, body: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.js`), `export const meta = { name: '${name}', description: 'test' };\n${body}`);
  };
  wf(
    join(project, '.boocode/workflows'),
    'outer',
    `const inner = await workflow('inner', { n: args.n });\nreturn { inner };`,
  );
  wf(join(project, '.claude/workflows'), 'inner', `return (await agent('double ' + args.n)).length;`);
  wf(join(project, '.boocode/workflows'), 'crash', `await agent('first');\nthrow new Error('broke on purpose');`);
  wf(join(project, '.boocode/workflows'), 'broken', `import x from 'y';`);
  wf(join(root, 'extra'), 'elsewhere', `return 'from the extra folder';`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  final: { ok: boolean; result?: unknown; error?: { code: string; message: string }; runId: string | null };
}

function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'workflows/cli.ts', '--project', project, ...args],
      // HOME in the temp dir: the personal folder is looked up there, never in the real home.
      { cwd: REPO, env: { ...process.env, MODEL_BASE_URL: '', HOME: join(root, 'home') } },
      (error, stdout, stderr) => {
        const last = stdout.trim().split('\n').at(-1) ?? '';
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr, final: JSON.parse(last) });
      },
    );
  });
}

describe('headless command', () => {
  it('a nested project workflow runs and ends with {ok, result, runId} and exit 0', async () => {
    const r = await cli('outer', '--args', '{"n":21}');
    expect(r.code).toBe(0);
    expect(r.final).toMatchObject({
      ok: true,
      result: { inner: expect.any(Number) },
      runId: expect.stringMatching(/^wfr_/),
    });
    expect(r.stderr).toContain('workflow inner starts (from .claude/workflows)');
  });

  it('--workflows-dir adds a folder to the search', async () => {
    expect((await cli('elsewhere')).code).toBe(2);
    const r = await cli('elsewhere', '--workflows-dir', join(root, 'extra'));
    expect(r).toMatchObject({ code: 0, final: { ok: true, result: 'from the extra folder' } });
  });

  it('refusals before the run exit 2 with a coded final line', async () => {
    const missing = await cli('no-such-workflow');
    expect(missing.code).toBe(2);
    expect(missing.final).toMatchObject({ ok: false, error: { code: 'WORKFLOW_NOT_FOUND' }, runId: null });
    expect(missing.final.error?.message).toContain(
      'looked in .boocode/workflows, .claude/workflows, ~/.boocode/workflows',
    );
    const broken = await cli('broken');
    expect(broken).toMatchObject({ code: 2, final: { ok: false, error: { code: 'IMPORT_REFUSED' } } });
    const badArgs = await cli('outer', '--args', '{nope');
    expect(badArgs).toMatchObject({ code: 2, final: { ok: false, error: { code: 'USAGE' } } });
  });

  it('a failure during the run exits 1 with the error in the final line', async () => {
    const r = await cli('crash');
    expect(r.code).toBe(1);
    expect(r.final).toMatchObject({
      ok: false,
      error: { code: 'SCRIPT_ERROR' },
      runId: expect.stringMatching(/^wfr_/),
    });
    expect(r.final.error?.message).toContain('broke on purpose');
  });

  it('--resume <runId> continues the run kept in --state, reusing its finished agents', async () => {
    const state = join(root, 'resume.json');
    const first = await cli('outer', '--args', '{"n":4}', '--state', state);
    const runId = first.final.runId!;
    const resumed = await cli('--resume', runId, '--state', state);
    expect(resumed).toMatchObject({ code: 0, final: { ok: true, runId, result: first.final.result } });
    expect(resumed.stderr).toContain('0 run, 1 cached');
    const wrong = await cli('--resume', 'wfr_other', '--state', state);
    expect(wrong).toMatchObject({ code: 2, final: { ok: false, error: { code: 'USAGE' } } });
    expect(wrong.final.error?.message).toContain(`holds run ${runId}, not wfr_other`);
  });
});
