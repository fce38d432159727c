// The path guard under a symlink race: another process swaps a directory and a file of the workspace for
// symlinks to outside, in a tight loop, while the file tools read, write, edit, list and grep through them
// thousands of times. A guard that checks a path and then uses it again by name escapes in a few percent
// of tries (the guard before the descriptor walk did: see the runner README); this one must never.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editWorkspaceFile, readWorkspaceFile, writeWorkspaceFile } from '../../src/runner/file-tools.ts';
import { grepWorkspace } from '../../src/runner/grep-tool.ts';
import { listWorkspaceFiles } from '../../src/runner/list-files.ts';
import { RunnerError } from '../../src/runner/runner-error.ts';
import { type RunnerFixture, startRunner, waitFor } from './runner-fixture.ts';

const OUTSIDE = 'outside secret';

// Swaps ws/d between the real directory and a symlink to outside/d, and ws/f.txt between a real file and a
// symlink to outside/secret.txt, as fast as it can. Each step may fail (the runner may have made a `d` in
// between): it is cleared and the loop goes on. Prints "swapping" once the first round is done.
const SWAPPER = `
const fs = require('node:fs');
const [ws, out] = process.argv.slice(1);
const at = (name) => ws + '/' + name;
const clear = (p) => { try { if (fs.lstatSync(p).isDirectory()) fs.rmSync(p, { recursive: true, force: true }); else fs.unlinkSync(p); } catch {} };
const step = (f) => { try { f(); } catch {} };
for (let round = 0; ; round++) {
  step(() => fs.renameSync(at('.dreal'), at('d')));
  step(() => fs.renameSync(at('.freal'), at('f.txt')));
  step(() => fs.renameSync(at('d'), at('.dreal')));
  step(() => fs.renameSync(at('f.txt'), at('.freal')));
  step(() => fs.symlinkSync(out + '/d', at('d')));
  step(() => fs.symlinkSync(out + '/secret.txt', at('f.txt')));
  clear(at('d'));
  clear(at('f.txt'));
  if (round === 0) process.stdout.write('swapping\\n');
}
`;

let base: string;
let ws: string;
let out: string;
let swapper: ChildProcess;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'boocode-race-'));
  ws = join(base, 'ws');
  out = join(base, 'out');
  await mkdir(join(ws, '.dreal'), { recursive: true });
  await mkdir(join(out, 'd'), { recursive: true });
  await writeFile(join(ws, '.dreal', 'f.txt'), 'inside\n');
  await writeFile(join(ws, '.freal'), 'inside\n');
  await writeFile(join(ws, '.gitignore'), '.dreal\n.freal\n');
  await writeFile(join(out, 'secret.txt'), `${OUTSIDE}\n`);
  await writeFile(join(out, 'd', 'f.txt'), `${OUTSIDE}\n`);
  await writeFile(join(out, 'd', 'only-outside.txt'), `${OUTSIDE}\n`);
  swapper = spawn(process.execPath, ['-e', SWAPPER, ws, out], { stdio: ['ignore', 'pipe', 'inherit'] });
  let said = '';
  swapper.stdout?.on('data', (chunk: Buffer) => {
    said += chunk.toString();
  });
  await waitFor(() => said.includes('swapping'), 10_000, 'the swapper to start');
});

afterAll(async () => {
  if (swapper.exitCode === null) {
    const gone = new Promise((resolve) => swapper.once('exit', resolve));
    swapper.kill('SIGKILL');
    await gone;
  }
  await rm(base, { recursive: true, force: true });
});

interface Tally {
  tries: number;
  escapes: string[];
  refused: number;
  inside: number;
  otherErrors: string[];
}

/** Runs `attempt` `tries` times, `parallel` at a time; an attempt returns 'escape', 'inside' or nothing. */
async function race(tries: number, parallel: number, attempt: (i: number) => Promise<'escape' | 'inside' | undefined>) {
  const tally: Tally = { tries, escapes: [], refused: 0, inside: 0, otherErrors: [] };
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < tries; i = next++) {
      try {
        const verdict = await attempt(i);
        if (verdict === 'escape') tally.escapes.push(`try ${i}`);
        if (verdict === 'inside') tally.inside++;
      } catch (error) {
        if (error instanceof RunnerError) tally.refused++;
        else tally.otherErrors.push(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return tally;
}

function report(name: string, tally: Tally) {
  console.log(
    `path race, ${name}: ${tally.tries} tries, ${tally.escapes.length} escapes, ${tally.refused} refused, ` +
      `${tally.inside} inside, ${tally.otherErrors.length} other errors${tally.otherErrors[0] ? ` (first: ${tally.otherErrors[0]})` : ''}`,
  );
}

/** Files written or changed outside: new names in outside/d, and the two outside files no longer as they were. */
async function writtenOutside(): Promise<string[]> {
  const added = (await readdir(join(out, 'd'))).filter((name) => name !== 'f.txt' && name !== 'only-outside.txt');
  const changed = [];
  for (const file of [join(out, 'secret.txt'), join(out, 'd', 'f.txt')]) {
    if ((await readFile(file, 'utf8')) !== `${OUTSIDE}\n`) changed.push(file);
  }
  return [...added, ...changed];
}

describe('the path guard while a symlink is swapped in and out', () => {
  it('never reads outside, through a swapped directory or a swapped file', async () => {
    const tally = await race(3000, 4, async (i) => {
      const path = i % 2 === 0 ? 'd/f.txt' : 'f.txt';
      const { content } = await readWorkspaceFile(ws, { path });
      if (content.includes(OUTSIDE)) return 'escape';
      return content === 'inside\n' ? 'inside' : undefined;
    });
    report('read_file', tally);
    expect(tally.escapes).toEqual([]);
    expect(tally.otherErrors).toEqual([]); // every refusal is a value with a code, never a raw error
    // Controls: the race really hit both states, so a guard that refused everything would not pass.
    expect(tally.inside).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });

  it('never writes or edits outside', async () => {
    const tally = await race(2000, 4, async (i) => {
      if (i % 3 === 2) {
        await editWorkspaceFile(ws, { path: 'd/f.txt', oldText: '\n', newText: '\n' });
      } else {
        await writeWorkspaceFile(ws, { path: i % 3 === 0 ? `d/w${i}.txt` : 'f.txt', content: 'written\n' });
      }
      return 'inside';
    });
    const escapes = await writtenOutside();
    report('write_file/edit_file', { ...tally, escapes });
    expect(escapes).toEqual([]);
    expect(tally.otherErrors).toEqual([]);
    expect(tally.inside).toBeGreaterThan(0);
  });

  it('never lists or greps outside', async () => {
    const tally = await race(200, 2, async (i) => {
      if (i % 2 === 0) {
        const { entries } = await listWorkspaceFiles(ws, { path: 'd' });
        return entries.some((e) => e.includes('only-outside')) ? 'escape' : 'inside';
      }
      const { matches } = await grepWorkspace(ws, { pattern: OUTSIDE, path: i % 4 === 1 ? 'd' : '.' });
      return matches.length > 0 ? 'escape' : 'inside';
    });
    report('list_files/grep', tally);
    expect(tally.escapes).toEqual([]);
    expect(tally.inside).toBeGreaterThan(0);
  });
});

// sec-git's refusal of a write whose name leads into .git/ through a symlink, under the same race: the name
// is swapped between a plain file and a link to .git/config while approved writes go through the runner.
describe('a write that a swapped link would lead into .git/', () => {
  let f: RunnerFixture;
  let linker: ChildProcess;
  const CONFIG = '[core]\n\tbare = false\n';

  beforeAll(async () => {
    f = await startRunner();
    await mkdir(join(f.workspace, '.git'));
    await writeFile(join(f.workspace, '.git', 'config'), CONFIG);
    await writeFile(join(f.workspace, '.nreal'), 'plain\n');
    const script = `
const fs = require('node:fs');
const at = (name) => process.argv[1] + '/' + name;
for (let round = 0; ; round++) {
  try { fs.renameSync(at('.nreal'), at('notes.txt')); } catch {}
  try { fs.renameSync(at('notes.txt'), at('.nreal')); } catch {}
  try { fs.symlinkSync('.git/config', at('notes.txt')); } catch {}
  try { fs.unlinkSync(at('notes.txt')); } catch {}
  if (round === 0) process.stdout.write('swapping\\n');
}`;
    linker = spawn(process.execPath, ['-e', script, f.workspace], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    linker.stdout?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
    });
    await waitFor(() => said.includes('swapping'), 10_000, 'the swapper to start');
  });
  afterAll(async () => {
    const gone = new Promise((resolve) => linker.once('exit', resolve));
    linker.kill('SIGKILL');
    await gone;
    await f.close();
  });

  it('never writes .git/config', async () => {
    const tally = await race(600, 3, async (i) => {
      const res = await f.post('/tools/write_file', {
        input: { path: 'notes.txt', content: `[alias]\n\tx${i} = !id\n` },
        approved: true,
      });
      if (res.status !== 200) throw new RunnerError(res.json().code, res.json().message);
      return 'inside';
    });
    const config = await readFile(join(f.workspace, '.git', 'config'), 'utf8');
    report('write_file into .git/ through a swapped link', {
      ...tally,
      escapes: config === CONFIG ? [] : ['.git/config'],
    });
    expect(config).toBe(CONFIG);
    expect(tally.inside).toBeGreaterThan(0);
  });
});
