// The dry run in the app: the same worker a real run uses, and workflow(name) resolved as a real run
// from this tab would (the runner's folders, then the catalog).
import { runWorkflowInWorker } from '@boocode/workflows/worker/worker-client';
import type { LocalDb } from '../../docs/local-db.ts';
import { readRunnerPairing } from '../../runner/runner-pairing.ts';
import { createTabWorkflowResolver } from '../runner-workflow-lookup.ts';
import { type DryRunReport, dryRunWorkflow } from './dry-run.ts';

export async function dryRunInWorker(db: LocalDb, source: string, args: unknown): Promise<DryRunReport> {
  const resolveWorkflow = createTabWorkflowResolver(db, await readRunnerPairing(db));
  return dryRunWorkflow(
    (options) =>
      runWorkflowInWorker(
        () => new Worker(new URL('../../../../workflows/src/worker.ts', import.meta.url), { type: 'module' }),
        options,
      ),
    { source, args, resolveWorkflow },
  );
}
