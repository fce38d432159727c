// Runner options from the environment, for `npm run runner` and for `npm start` wiring:
// RUNNER_PORT (8788), BOOCODE_WORKSPACE (cwd), BOOCODE_RUNNER_TOKEN (else a per-install token
// file), BOOCODE_RUNNER_DATA_DIR (~/.boocode/runner), BOOCODE_RUNNER_ORIGINS (comma-separated,
// default the app on 127.0.0.1:8787 and localhost:8787), BOOCODE_RUNNER_PROVIDER (default provider).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_APP_ORIGINS, DEFAULT_RUNNER_PORT, type RunnerOptions } from './create-runner.ts';

export function runnerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RunnerOptions {
  const port = env.RUNNER_PORT ? Number(env.RUNNER_PORT) : DEFAULT_RUNNER_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`RUNNER_PORT is not a port: ${env.RUNNER_PORT}`);
  return {
    workspace: env.BOOCODE_WORKSPACE || cwd,
    dataDir: env.BOOCODE_RUNNER_DATA_DIR || join(homedir(), '.boocode', 'runner'),
    port,
    token: env.BOOCODE_RUNNER_TOKEN || undefined,
    allowedOrigins: env.BOOCODE_RUNNER_ORIGINS
      ? env.BOOCODE_RUNNER_ORIGINS.split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : DEFAULT_APP_ORIGINS,
    defaultProvider: env.BOOCODE_RUNNER_PROVIDER || undefined,
    env,
  };
}
