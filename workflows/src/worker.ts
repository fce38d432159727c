// Web Worker entry: exposes the workflow engine over Comlink. The QuickJS wasm is fetched on the
// first run, not when the worker starts. Mount with
//   new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })
// and drive it with runWorkflowInWorker (./worker/worker-client.ts).
import { expose } from 'comlink';
import { createWorkflowWorkerApi } from './worker/workflow-worker-api.ts';

expose(createWorkflowWorkerApi());
