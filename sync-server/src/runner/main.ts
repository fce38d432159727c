// Entry point for `npm run runner -w sync-server`: reads the environment, starts the runner.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createRunner, DEFAULT_APP_ORIGINS, DEFAULT_RUNNER_PORT } from './create-runner.ts';

const env = process.env;
const runner = await createRunner({
  workspace: env.BOOCODE_WORKSPACE ?? process.cwd(),
  dataDir: env.BOOCODE_RUNNER_DATA_DIR ?? join(homedir(), '.boocode', 'runner'),
  port: env.RUNNER_PORT ? Number(env.RUNNER_PORT) : DEFAULT_RUNNER_PORT,
  token: env.BOOCODE_RUNNER_TOKEN || undefined,
  allowedOrigins:
    env.BOOCODE_RUNNER_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean) ?? DEFAULT_APP_ORIGINS,
  logger: true,
});
const { url } = await runner.listen();
console.log(`BooCode runner on ${url} for workspace ${env.BOOCODE_WORKSPACE ?? process.cwd()}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void runner.close().then(() => process.exit(0)));
}
