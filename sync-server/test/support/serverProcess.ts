/** The real entry point (src/main.ts) as a child process, so tests can SIGKILL and SIGTERM it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface ServerProcessOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  token: string;
  /** 0 picks a free port; pass the previous one to restart "the same" server. */
  port?: number;
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stderr (for failure messages). */
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export function spawnServer(opts: ServerProcessOptions, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      BOOCODE_DATA_DIR: opts.dataDir,
      DATABASE_URL: opts.databaseUrl ?? '',
      BOOCODE_TOKEN: opts.token,
      // main.ts also starts the local runner on a fixed port; two servers in one test would clash.
      BOOCODE_NO_RUNNER: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    const exitedEarly = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting; stderr:\n${stderr}`));
    };
    child.once('exit', exitedEarly);
    child.stdout?.on('data', (d) => {
      stdout += d;
      const match = /(http:\/\/[^/\s]+)\/#token=/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      const url = match[1]!;
      resolve({
        url,
        port: Number(new URL(url).port),
        child,
        stderr: () => stderr,
        async kill(signal) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}
