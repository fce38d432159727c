// Entry point for `npm run runner -w sync-server`: options from the environment, start, print
// the pairing URL for the app (the token travels in the fragment only).
import { pairingUrl } from '@boocode/shared/runner/pairing';
import { createRunner } from './create-runner.ts';
import { runnerOptionsFromEnv } from './runner-config.ts';

const options = runnerOptionsFromEnv();
const runner = await createRunner({ ...options, logger: true });
const { url } = await runner.listen();
const appUrl = options.allowedOrigins?.[0] ?? 'http://127.0.0.1:8787';
console.log(`BooCode runner on ${url}, workspace ${options.workspace}`);
console.log(`Pair the app with this runner: ${pairingUrl(appUrl, { runnerUrl: url, token: runner.token })}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void runner.close().then(() => process.exit(0)));
}
