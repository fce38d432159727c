// `npm run model`: the scripted model on PORT (default 8790) with every scenario in ./scenarios, for the
// offline demo and the e2e tests. Its models are named `scripted-…` so the UI labels them as scripted.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioDir } from './scenario.ts';
import { startScriptedModel } from './server.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const scenarios = loadScenarioDir(process.env.SCENARIOS_DIR ?? dir);
const model = await startScriptedModel({
  port: Number(process.env.PORT ?? 8790),
  host: process.env.HOST ?? '127.0.0.1',
  scenarios,
});
console.log(`scripted model on ${model.baseUrl} (${scenarios.map((s) => s.name).join(', ')})`);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    void model.close().then(() => process.exit(0));
  });
