// `npm run host`: the agent host alone, against a sync server given by URL and token (a laptop's host can
// serve a remote team server), with its own runner on 127.0.0.1 (tools, keys; the browser pairs with it).
//   BOOCODE_SERVER_URL (or --server <url>)   the sync server, e.g. http://127.0.0.1:8787
//   BOOCODE_TOKEN (or --token <token>)       its access token
//   BOOCODE_WORKSPACE, RUNNER_PORT, BOOCODE_RUNNER_DATA_DIR, keys: as for the runner
import { parseArgs } from 'node:util';
import { pairingUrl } from '@boocode/shared/runner/pairing';
import { createRunner } from '../runner/create-runner.ts';
import { runnerOptionsFromEnv } from '../runner/runner-config.ts';
import { startHost } from './start-host.ts';

const { values } = parseArgs({
  options: { server: { type: 'string' }, token: { type: 'string' } },
  allowPositionals: false,
});
const serverUrl = values.server ?? process.env.BOOCODE_SERVER_URL;
const token = values.token ?? process.env.BOOCODE_TOKEN;
if (!serverUrl || !token) {
  console.error('The agent host needs the sync server and its token: --server <url> --token <token>');
  console.error('(or BOOCODE_SERVER_URL and BOOCODE_TOKEN). `npm start` prints both in the URL it opens.');
  process.exit(2);
}
try {
  new URL(serverUrl);
} catch {
  console.error(`--server is not a URL: ${serverUrl}`);
  process.exit(2);
}

const cwd = process.env.INIT_CWD ?? process.cwd();
const options = runnerOptionsFromEnv(process.env, cwd);
const runner = await createRunner({
  ...options,
  allowedOrigins: [...new Set([serverUrl.replace(/\/+$/, ''), ...(options.allowedOrigins ?? [])])],
});
const { url } = await runner.listen();
console.log(`Runner on ${url} (127.0.0.1 only), workspace ${options.workspace}`);
console.log(`Pair a browser with it: ${pairingUrl(serverUrl, { runnerUrl: url, token: runner.token })}`);
const host = await startHost({
  serverUrl,
  token,
  runner: { url, token: runner.token },
  workspace: options.workspace,
  dataDir: options.dataDir,
  onRefused: () => void stop(1),
});

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await host.close().catch(() => {});
  await runner.close().catch(() => {});
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(0));
