/**
 * `npm start`: the sync server (which also serves the app) and, beside it, the local runner on
 * 127.0.0.1. Prints one URL that carries the sync token and the runner pairing in its fragment.
 * SIGTERM/SIGINT stop both after flushing pending writes.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairingUrl } from '@boocode/shared/runner/pairing';
import { startHost } from './host/start-host.ts';
import { createRunner } from './runner/create-runner.ts';
import { runnerOptionsFromEnv, takeRunnerStartEnvironment } from './runner/runner-config.ts';
import { createSyncServer, type SyncServer } from './server/createSyncServer.ts';
import { ALLOW_REMOTE_ENV, RemoteListenRefusedError } from './server/listen-host.ts';

// Before anything else: provider keys and tokens leave process.env, and what commands may not see is
// hidden from this process's /proc/<pid>/environ (the runner's commands are same-user processes).
const start = takeRunnerStartEnvironment();
const env = start.env;
if (start.notHidden) console.warn(`Could not hide secrets from /proc/${process.pid}/environ: ${start.notHidden}.`);

// `npm start` runs this inside sync-server/; INIT_CWD is where the user typed the command.
const cwd = env.INIT_CWD ?? process.cwd();
const dataDir = resolve(cwd, env.BOOCODE_DATA_DIR ?? '.boocode-data');

/** A comma- or space-separated list from the environment. */
function listFromEnv(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

let server: SyncServer;
try {
  server = await createSyncServer({
    port: Number(env.PORT ?? 8787),
    host: env.HOST || '127.0.0.1',
    allowRemote: env[ALLOW_REMOTE_ENV] === '1',
    publicHosts: listFromEnv(env.BOOCODE_PUBLIC_HOSTS),
    connectSources: listFromEnv(env.BOOCODE_CONNECT_SRC),
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    token: env.BOOCODE_TOKEN || undefined,
    clientDir: fileURLToPath(new URL('../../client/dist', import.meta.url)),
  });
} catch (err) {
  if (!(err instanceof RemoteListenRefusedError)) throw err;
  console.error(err.message);
  process.exit(2);
}
if (server.warning) console.warn(server.warning);

const closers: (() => Promise<unknown>)[] = [() => server.close()];
let openUrl = server.appUrl;
if (env.BOOCODE_NO_RUNNER) {
  console.log('Runner not started (BOOCODE_NO_RUNNER is set).');
} else {
  const options = runnerOptionsFromEnv(env, cwd);
  const runner = await createRunner({
    ...options,
    // The server's data folder (its token, its database) sits in the workspace by default: no tool enters it.
    privateDirs: [dataDir],
    // The app this server serves is always an allowed origin of its runner, whatever PORT and HOST are.
    allowedOrigins: [...new Set([...server.appOrigins, ...(options.allowedOrigins ?? [])])],
  });
  const { url } = await runner.listen();
  closers.unshift(() => runner.close());
  openUrl = pairingUrl(server.appUrl, { runnerUrl: url, token: runner.token });
  console.log(`Runner on ${url} (127.0.0.1 only), workspace ${options.workspace}`);
  // The agent host beside the runner drives sessions, subagents and workflow runs while tabs come and go.
  if (process.env.BOOCODE_NO_HOST) console.log('Agent host not started (BOOCODE_NO_HOST is set).');
  else {
    const host = await startHost({
      serverUrl: server.url,
      token: server.token,
      runner: { url, token: runner.token },
      workspace: options.workspace,
      dataDir: options.dataDir,
    });
    // The host lets go first (its turns stay resumable), then the runner and the server stop.
    closers.unshift(() => host.close());
  }
}
console.log(`BooCode is running (${server.storage} storage). Open:\n  ${openUrl}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    closers
      .reduce((done, close) => done.then(() => close()), Promise.resolve() as Promise<unknown>)
      .then(
        () => process.exit(0),
        (err: Error) => {
          console.error('[boocode] shutdown failed:', err);
          process.exit(1);
        },
      );
  });
}
