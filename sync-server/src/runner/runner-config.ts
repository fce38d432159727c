// Runner options from the environment, for `npm run runner` and for `npm start` wiring:
// RUNNER_PORT (8788), BOOCODE_WORKSPACE (cwd), BOOCODE_RUNNER_TOKEN (else a per-install token
// file), BOOCODE_RUNNER_DATA_DIR (~/.boocode/runner), BOOCODE_RUNNER_ORIGINS (comma-separated,
// default the app on 127.0.0.1:8787 and localhost:8787), BOOCODE_RUNNER_PROVIDER (default provider),
// BOOCODE_COMMAND_ENV (comma-separated names of further variables commands may see).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { providerKeyEnvNames } from '@boocode/shared/runner/provider-config';
import { mayCommandsSee, RUNNER_SECRET_NAMES } from './command-env.ts';
import { DEFAULT_APP_ORIGINS, DEFAULT_RUNNER_PORT, type RunnerOptions } from './create-runner.ts';
import { type StartEnvironment, takeStartEnvironment } from './start-environment.ts';

function list(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function runnerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RunnerOptions {
  const port = env.RUNNER_PORT ? Number(env.RUNNER_PORT) : DEFAULT_RUNNER_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`RUNNER_PORT is not a port: ${env.RUNNER_PORT}`);
  return {
    workspace: env.BOOCODE_WORKSPACE || cwd,
    dataDir: env.BOOCODE_RUNNER_DATA_DIR || join(homedir(), '.boocode', 'runner'),
    port,
    token: env.BOOCODE_RUNNER_TOKEN || undefined,
    allowedOrigins: list(env.BOOCODE_RUNNER_ORIGINS) ?? DEFAULT_APP_ORIGINS,
    defaultProvider: env.BOOCODE_RUNNER_PROVIDER || undefined,
    commandEnv: list(env.BOOCODE_COMMAND_ENV),
    env,
  };
}

/**
 * For entry points, first thing: the start environment to configure from, with everything commands may
 * not see hidden from this process's /proc/<pid>/environ and provider keys and tokens out of process.env.
 */
export function takeRunnerStartEnvironment(): StartEnvironment {
  const extra = list(process.env.BOOCODE_COMMAND_ENV) ?? [];
  const secrets = [...RUNNER_SECRET_NAMES, ...providerKeyEnvNames()];
  return takeStartEnvironment({
    visible: (name) => mayCommandsSee(name, extra, secrets),
    secret: (name) => secrets.includes(name),
  });
}
