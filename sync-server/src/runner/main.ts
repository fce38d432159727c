// Entry point for `npm run runner -w sync-server`: takes the start environment (hiding what commands may
// not see, runner-config.ts), options from it, start, print the pairing URL for the app (the token
// travels in the fragment only).
import { pairingUrl } from '@boocode/shared/runner/pairing';
import { createRunner } from './create-runner.ts';
import { runnerOptionsFromEnv, takeRunnerStartEnvironment } from './runner-config.ts';

const start = takeRunnerStartEnvironment();
if (start.notHidden) console.warn(`Could not hide secrets from /proc/${process.pid}/environ: ${start.notHidden}.`);
const options = runnerOptionsFromEnv(start.env);
const runner = await createRunner({ ...options, logger: true });
const { url } = await runner.listen();
const appUrl = options.allowedOrigins?.[0] ?? 'http://127.0.0.1:8787';
console.log(`BooCode runner on ${url}, workspace ${options.workspace}`);
console.log(`Pair the app with this runner: ${pairingUrl(appUrl, { runnerUrl: url, token: runner.token })}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void runner.close().then(() => process.exit(0)));
}
