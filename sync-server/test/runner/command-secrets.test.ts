// The secrets attack suite: a command the user approved tries to read the runner's secrets the ways a
// same-user process can. The runner runs as its own process (runner/main.ts), started the way npm starts
// it: under a parent that keeps the keys in its own environment. Each attack must find no secret; the
// positive controls prove the commands ran and the runner still has its keys.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner, type Runner } from '../../src/runner/create-runner.ts';
import { APP_ORIGIN, rawRequest, waitFor } from './runner-fixture.ts';

const TOKEN = 'secret-runner-token-0123456789abcdef0123456789';
const SECRETS: Record<string, string> = {
  DEEPSEEK_API_KEY: 'sk-deepseek-SECRET-1111',
  OPENAI_API_KEY: 'sk-openai-SECRET-2222',
  AWS_SECRET_ACCESS_KEY: 'aws-SECRET-3333',
  GITHUB_TOKEN: 'ghp_SECRET-4444',
  DATABASE_URL: 'postgres://app:pw-SECRET-5555@db/app',
  BOOCODE_RUNNER_TOKEN: TOKEN,
};
const STORED_KEY = 'sk-stored-SECRET-6666';
const ALL_SECRETS = [...Object.values(SECRETS), STORED_KEY];

let base: string;
let dataDir: string;
/** Every git the runner starts (its own, or a command's) appends its environment here, then runs. */
let gitDump: string;
let wrapper: ChildProcess;
let runnerPid: number;
let port: number;
let refused = 0;

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined ? undefined : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The pid of `parent`'s child (scanning /proc: /proc/<pid>/task/<pid>/children is not always there). */
async function childOf(parent: number): Promise<number | undefined> {
  for (const name of await readdir('/proc')) {
    if (/^\d+$/.test(name) && (await parentOf(Number(name))) === parent) return Number(name);
  }
  return undefined;
}

const call = (path: string, body: unknown, method = 'POST') =>
  rawRequest(port, {
    method,
    path,
    headers: {
      host: `127.0.0.1:${port}`,
      origin: APP_ORIGIN,
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
const sh = (script: string) => call('/tools/run_command', { input: { command: script, shell: true }, approved: true });

function expectNoSecret(text: string) {
  for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
  refused++;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'boocode-secrets-'));
  const workspace = join(base, 'ws');
  const home = join(base, 'home');
  dataDir = join(base, 'data');
  const fakeBin = join(base, 'bin');
  await Promise.all([workspace, home, fakeBin].map((dir) => mkdir(dir, { recursive: true })));
  gitDump = join(base, 'git-env.txt');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  await writeFile(join(fakeBin, 'git'), `#!/bin/sh\nenv >> '${gitDump}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
  const main = fileURLToPath(new URL('../../src/runner/main.ts', import.meta.url));
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  // `; exit`: the shell stays as the runner's parent, holding every key in its environment, as npm does.
  wrapper = spawn('/bin/sh', ['-c', '"$0" "$@"; exit $?', process.execPath, '--import', loader, main], {
    env: {
      PATH: `${fakeBin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      LANG: 'C.UTF-8',
      ...SECRETS,
      RUNNER_PORT: '0',
      BOOCODE_WORKSPACE: workspace,
      BOOCODE_RUNNER_DATA_DIR: dataDir,
      BOOCODE_COMMAND_ENV: 'MY_TOOL_HOME',
      MY_TOOL_HOME: '/opt/my-tool',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let said = '';
  wrapper.stdout?.on('data', (chunk: Buffer) => {
    said += chunk.toString();
  });
  await waitFor(() => /BooCode runner on http:\/\/127\.0\.0\.1:\d+/.test(said), 30_000, 'the runner to start');
  port = Number(/BooCode runner on http:\/\/127\.0\.0\.1:(\d+)/.exec(said)?.[1]);
  runnerPid = (await childOf(wrapper.pid!))!;
  expect(runnerPid).toBeGreaterThan(0);
  expect((await call('/providers/deepseek/key', { apiKey: STORED_KEY }, 'PUT')).status).toBe(204);
});

afterAll(async () => {
  console.log(`secrets attack suite: ${refused} attack cases refused (any that was not fails its test)`);
  if (runnerPid) process.kill(runnerPid, 'SIGTERM');
  if (wrapper.exitCode === null) await new Promise((resolve) => wrapper.once('exit', resolve));
  await rm(base, { recursive: true, force: true });
});

describe('positive controls', () => {
  it('runs commands with the allow-listed environment and what the user added', async () => {
    const { stdout } = (await sh('env')).json();
    expect(stdout).toMatch(/^PATH=/m);
    expect(stdout).toContain('MY_TOOL_HOME=/opt/my-tool');
  });
  it('still holds the keys from its environment and its key file', async () => {
    const providers = (await call('/providers', undefined, 'GET')).json().providers as Array<{
      id: string;
      hasKey: boolean;
    }>;
    // The two given keys (the registry lists more providers, keyless local servers among them).
    expect(providers.filter((p) => p.hasKey).map((p) => p.id)).toEqual(['deepseek', 'openai']);
  });
});

describe("a command reading the runner's secrets", () => {
  it('finds none in its own environment (env)', async () => {
    const res = await sh('env');
    expect(res.status).toBe(200);
    expectNoSecret(res.text);
  });
  it('finds none in its parent (cat /proc/$PPID/environ), which is not the runner', async () => {
    const res = (await sh('echo "parent=$PPID"; cat /proc/$PPID/environ')).json();
    expect(res.stdout).toMatch(/^parent=\d+/);
    expect(Number(/^parent=(\d+)/.exec(res.stdout)?.[1])).not.toBe(runnerPid);
    expect(res.stdout).toContain('PATH=');
    expectNoSecret(res.stdout);
  });
  it("finds none walking up the parent chain, which never reaches the runner or the keys' holder", async () => {
    const walk =
      'p=$PPID; while [ "$p" -gt 1 ]; do echo "pid=$p"; cat /proc/$p/environ; echo; ' +
      "p=$(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f2); done";
    const { stdout } = (await sh(walk)).json();
    const chain = [...stdout.matchAll(/^pid=(\d+)$/gm)].map((m) => Number(m[1]));
    expect(chain.length).toBeGreaterThan(0);
    expect(chain).not.toContain(runnerPid);
    expect(chain).not.toContain(wrapper.pid);
    expectNoSecret(stdout);
  });
  it("finds none in the runner's own start environment, read by pid as a scanning process would", async () => {
    const { stdout } = (await sh(`cat /proc/${runnerPid}/environ`)).json();
    expect(stdout).toContain('PATH=');
    expectNoSecret(stdout);
    expectNoSecret(await readFile(`/proc/${runnerPid}/environ`, 'latin1'));
  });
  it("finds none in the environment of any git, the runner's own or a command's", async () => {
    await call('/worktrees', { id: 'ses_probe' }); // the runner's git (the workspace is no repository: a refusal)
    expect((await sh('git --version')).json().exitCode).toBe(0);
    const dumped = await readFile(gitDump, 'utf8');
    expect(dumped.match(/^PATH=/gm)?.length).toBeGreaterThanOrEqual(2);
    expectNoSecret(dumped);
  });
  it.each([
    ['the token file', () => `cat ${join(dataDir, 'runner-token')}`],
    ['the key file', () => `cat ${join(dataDir, 'provider-keys.json')}`],
    ['the data folder', () => `cat ${dataDir}/*`],
    ['the key file by name, found anywhere', () => 'find / -name provider-keys.json -exec cat {} +'],
  ])('is refused when it names %s, approved or not', async (_name, script) => {
    const res = await sh(script());
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ code: 'DENIED_BY_RULE', message: expect.stringMatching(/private data/) });
    expectNoSecret(res.text);
  });
});

describe('a data folder inside the workspace (the workspace is the home folder)', () => {
  let runner: Runner;
  let innerPort: number;
  let workspace: string;
  const tool = (name: string, input: unknown) =>
    rawRequest(innerPort, {
      method: 'POST',
      path: `/tools/${name}`,
      headers: {
        host: `127.0.0.1:${innerPort}`,
        authorization: `Bearer ${runner.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ input, approved: true }),
    });

  beforeAll(async () => {
    workspace = join(base, 'home-ws');
    await mkdir(workspace, { recursive: true });
    // No fixed token: the runner writes its token file into <workspace>/.boocode/runner.
    runner = await createRunner({
      workspace,
      dataDir: join(workspace, '.boocode', 'runner'),
      port: 0,
      home: workspace,
    });
    innerPort = (await runner.listen()).port;
  });
  afterAll(() => runner.close());

  it('read_file, list_files and grep never show the token', async () => {
    const read = await tool('read_file', { path: '.boocode/runner/runner-token' });
    expect(read.status).toBe(403);
    expect(read.json()).toMatchObject({ code: 'PATH_OUTSIDE_WORKSPACE', message: expect.stringMatching(/private/) });
    expect(read.text).not.toContain(runner.token);
    const listed = (await tool('list_files', {})).json().entries as string[];
    expect(listed.some((e) => e.startsWith('.boocode/runner'))).toBe(false);
    const grep = await tool('grep', { pattern: runner.token.slice(0, 20), literal: true });
    expect(grep.json().matches).toEqual([]);
    refused += 3;
  });
  it('run_command refuses to name it relatively, or to run in it', async () => {
    const byName = await tool('run_command', { command: 'cat', args: ['.boocode/runner/runner-token'] });
    expect(byName.json().code).toBe('DENIED_BY_RULE');
    const inside = await tool('run_command', { command: 'ls', cwd: '.boocode/runner' });
    expect(inside.status).toBe(403);
    expect(byName.text + inside.text).not.toContain(runner.token);
    refused += 2;
  });
});
