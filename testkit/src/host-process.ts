// A real agent host process for tests, as `npm run host` starts one: its own runner over a temp
// workspace and data folder, connected to the test's sync server by URL and token. It can be killed
// (SIGKILL: nothing more leaves it) and started again with the same data folder (the same host id).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST_MAIN = fileURLToPath(new URL('../../sync-server/src/host/host-main.ts', import.meta.url));

export interface HostProcess {
  workspace: string;
  runnerUrl: string;
  runnerToken: string;
  /** The process id of the running host (undefined once killed). */
  pid(): number | undefined;
  /** Everything it printed so far. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same folders (the same host id, workspace and runner token). */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startHostProcess(
  serverUrl: string,
  token: string,
  files: Record<string, string> = {},
  opts: { nodeArgs?: string[] } = {},
): Promise<HostProcess> {
  const root = await mkdtemp(join(tmpdir(), 'boocode-e2e-host-'));
  const workspace = join(root, 'ws');
  const dataDir = join(root, 'runner');
  await mkdir(workspace, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(workspace, name)), { recursive: true });
    await writeFile(join(workspace, name), text);
  }
  const runnerToken = `host-runner-${Math.random().toString(36).slice(2)}`;
  let child: ChildProcess | undefined;
  let out = '';
  let runnerUrl = '';

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(
        process.execPath,
        [...(opts.nodeArgs ?? []), '--import', 'tsx', HOST_MAIN, '--server', serverUrl, '--token', token],
        {
          env: {
            PATH: process.env.PATH,
            HOME: root,
            BOOCODE_WORKSPACE: workspace,
            BOOCODE_RUNNER_DATA_DIR: dataDir,
            BOOCODE_RUNNER_TOKEN: runnerToken,
            RUNNER_PORT: runnerUrl ? new URL(runnerUrl).port : '0',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child = proc;
      // Only this life's output counts: after a restart, the first life's banner is already in `out`.
      const from = out.length;
      const timer = setTimeout(() => reject(new Error(`the agent host did not start:\n${out}`)), 40_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const runner = /Runner on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (runner) runnerUrl = runner[1]!;
        if (/Agent host \S+ is driving/.test(out.slice(from))) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the agent host exited with ${code}:\n${out}`));
      });
    });
  await start();

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  };
  return {
    workspace,
    get runnerUrl() {
      return runnerUrl;
    },
    runnerToken,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    output: () => out,
    kill,
    restart: start,
    async dispose() {
      await kill('SIGTERM');
      await rm(root, { recursive: true, force: true });
    },
  };
}
