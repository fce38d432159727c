// takeStartEnvironment in a process of its own: what /proc/<pid>/environ shows before and after, and that
// process.env keeps what the process still needs (in the heap) while secrets leave it entirely.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const moduleUrl = new URL('../../src/runner/start-environment.ts', import.meta.url).href;
const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

// Reads its own /proc/self/environ before and after, and reports what process.env and the result hold.
const PROBE = `
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const { takeStartEnvironment } = await import(${JSON.stringify(moduleUrl)});
const before = readFileSync('/proc/self/environ', 'latin1');
const start = takeStartEnvironment({
  visible: (name) => name === 'PATH' || name === 'LANG',
  secret: (name) => name === 'PROBE_KEY',
});
const after = readFileSync('/proc/self/environ', 'latin1');
// What a same-user process sees, read from outside.
const outside = execFileSync('cat', ['/proc/' + process.pid + '/environ'], { encoding: 'latin1' });
console.log(JSON.stringify({
  before, after, outside,
  hidden: start.hidden, notHidden: start.notHidden,
  taken: { key: start.env.PROBE_KEY, other: start.env.PROBE_OTHER },
  processEnv: { key: process.env.PROBE_KEY ?? null, other: process.env.PROBE_OTHER ?? null, lang: process.env.LANG },
}));
`;

describe('takeStartEnvironment', () => {
  it('hides every variable commands may not see from /proc/<pid>/environ, keeping process.env usable', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', loader, '--input-type=module', '-e', PROBE],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          LANG: 'C.UTF-8',
          PROBE_KEY: 'probe-key-SECRET',
          PROBE_OTHER: 'postgres://u:probe-pw-SECRET@h/db',
        },
      },
    );
    const seen = JSON.parse(stdout);
    expect(seen.before).toContain('probe-key-SECRET'); // control: the start block held them
    expect(seen.before).toContain('probe-pw-SECRET');
    expect(seen.notHidden).toBeUndefined();
    expect(seen.hidden).toEqual(expect.arrayContaining(['PROBE_KEY', 'PROBE_OTHER']));
    for (const view of [seen.after, seen.outside]) {
      expect(view).not.toContain('SECRET');
      expect(view).toContain('LANG=C.UTF-8');
    }
    expect(seen.taken).toEqual({ key: 'probe-key-SECRET', other: 'postgres://u:probe-pw-SECRET@h/db' });
    expect(seen.processEnv).toEqual({ key: null, other: 'postgres://u:probe-pw-SECRET@h/db', lang: 'C.UTF-8' });
  });
});
