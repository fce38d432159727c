// Auto-fix support: the runner detects the workspace's check command, runs it, trims its output
// to the error lines; the shared helpers turn that into the next turn and stop at the round
// limit. A fake "typecheck" script stands in for tsc so the test is fast and deterministic.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BuildRunResult,
  nextAutoFixStep,
  pickBuildScript,
  trimBuildOutput,
} from '@boocode/shared/runner/build-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerFixture, startRunner } from './runner-fixture.ts';

const NOISE = Array.from({ length: 200 }, (_, i) => `compiling module ${i} ok`).join('\n');
const CHECK_SCRIPT = `
const fs = require('node:fs');
if (fs.existsSync('fixed.flag')) { console.log('all good'); process.exit(0); }
console.log(${JSON.stringify(NOISE)});
console.log("src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.");
console.log(${JSON.stringify(NOISE)});
console.error('Found 1 error in src/app.ts:3');
process.exit(2);
`;

let f: RunnerFixture;
beforeAll(async () => {
  f = await startRunner();
  const scripts = { test: 'node -e "process.exit(1)"', build: 'node -e 0', typecheck: 'node check.cjs' };
  await writeFile(join(f.workspace, 'package.json'), JSON.stringify({ name: 'ws', private: true, scripts }));
  await writeFile(join(f.workspace, 'check.cjs'), CHECK_SCRIPT);
});
afterAll(() => f.close());

describe('build detection', () => {
  it('prefers typecheck, then build, lint, test', () => {
    expect(pickBuildScript({ test: 'x', build: 'x', typecheck: 'x' })).toBe('typecheck');
    expect(pickBuildScript({ test: 'x', lint: 'x', build: 'x' })).toBe('build');
    expect(pickBuildScript({ test: 'x', lint: 'x' })).toBe('lint');
    expect(pickBuildScript({ start: 'x' })).toBeUndefined();
  });
  it('GET /build reports the detected command', async () => {
    const res = await f.get('/build');
    expect(res.json()).toEqual({
      command: { script: 'typecheck', command: 'npm', args: ['run', 'typecheck'] },
      source: 'package.json',
    });
  });
});

describe('trimBuildOutput', () => {
  it('keeps error lines with a little context and drops the noise', () => {
    const output = `${NOISE}\nsrc/a.ts:3:7 - error TS2322: bad\n  3 const x: number = 'a';\n${NOISE}`;
    const { text, omittedLines } = trimBuildOutput(output);
    expect(text).toContain('error TS2322');
    expect(text.split('\n').length).toBeLessThanOrEqual(10);
    expect(omittedLines).toBeGreaterThan(390);
  });
  it('falls back to the tail when nothing looks like an error, and caps the size', () => {
    const { text } = trimBuildOutput(`${NOISE}\nlast line`, { tailLines: 3 });
    expect(text.split('\n')).toEqual(['compiling module 198 ok', 'compiling module 199 ok', 'last line']);
    const many = Array.from({ length: 500 }, (_, i) => `error ${i}`).join('\n');
    expect(trimBuildOutput(many, { maxLines: 20 }).text.split('\n').length).toBeLessThanOrEqual(20);
  });
  it('strips ANSI colours', () => {
    expect(trimBuildOutput('\u001b[31merror\u001b[0m: boom').text).toBe('error: boom');
  });
});

describe('the auto-fix loop', () => {
  const runBuild = async (): Promise<BuildRunResult> => {
    const res = await f.post('/build/run', { approved: true });
    expect(res.status).toBe(200);
    return res.json();
  };

  it('needs approval to run the build (the script text is workspace content)', async () => {
    const res = await f.post('/build/run', {});
    expect(res.status).toBe(403);
    expect(res.json().code).toBe('APPROVAL_REQUIRED');
  });

  it('hands trimmed errors to the next turn and stops after the round limit', async () => {
    const maxRounds = 2;
    const injected: string[] = [];
    let roundsDone = 0;
    for (let turn = 0; turn < 10; turn++) {
      // The agent's turn used a write tool (which does not fix the error)...
      const write = await f.post('/tools/write_file', {
        input: { path: 'src/app.ts', content: `// try ${turn}\n` },
        approved: true,
      });
      expect(write.status).toBe(200);
      // ...so the engine runs the check and asks what to do next.
      const result = await runBuild();
      expect(result.ok).toBe(false);
      expect(result.errors).toContain("src/app.ts(3,7): error TS2322: Type 'string' is not assignable");
      expect(result.errors).not.toContain('compiling module 100 ok');
      const step = nextAutoFixStep(result, roundsDone, maxRounds);
      if (step.type === 'passed') throw new Error('the build cannot pass here');
      injected.push(step.message);
      if (step.type === 'exhausted') break;
      roundsDone = step.round;
    }
    expect(injected).toHaveLength(maxRounds + 1);
    expect(injected[0]).toMatch(/`npm run typecheck` failed \(exit code 2\).*round 1 of 2/);
    expect(injected[0]).toContain('error TS2322');
    expect(injected[1]).toContain('round 2 of 2');
    expect(injected[2]).toMatch(/still fails after 2 auto-fix rounds/);
  });

  it('reports a passing build as passed', async () => {
    await writeFile(join(f.workspace, 'fixed.flag'), '');
    const result = await runBuild();
    expect(result).toMatchObject({ ok: true, exitCode: 0, errors: '' });
    expect(nextAutoFixStep(result, 1)).toEqual({ type: 'passed' });
  });
});

describe('trimBuildOutput patterns', () => {
  it('treats a source location as relevant but not a clock time', () => {
    const { text } = trimBuildOutput(
      'started 12:34:56\nnothing\nnothing\nnothing\nsrc/x.tsx:4:2 unexpected token\nend',
      {
        contextBefore: 0,
        contextAfter: 0,
      },
    );
    expect(text).toBe('src/x.tsx:4:2 unexpected token');
  });
});

describe('a configured build command', () => {
  it('overrides detection and is kept across restarts', async () => {
    const command = { script: null, command: 'node', args: ['-e', 'process.exit(0)'] };
    const put = await fetch(`${f.url}/build`, {
      method: 'PUT',
      headers: { ...f.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ command }),
    });
    expect(await put.json()).toEqual({ command, source: 'configured' });
    const again = await startRunner({ dataDir: f.dataDir, workspace: f.workspace });
    try {
      expect((await again.get('/build')).json()).toEqual({ command, source: 'configured' });
    } finally {
      await again.close();
    }
  });
});
