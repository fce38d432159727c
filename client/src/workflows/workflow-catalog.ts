// The workflows a user can run: the built-in catalog (bundled as text) and, when this device is
// paired with the runner, the project's and the user's own scripts (`GET /workflows`). A runner
// workflow wins over a built-in one with the same name (the project's own copy is the one meant).
// Each script is checked (acorn only, no wasm) to read its meta; a broken one is listed with its error.
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import { workflowListSchema, workflowSourceSchema } from '@boocode/shared/runner/workflow-discovery';
import type { RunError, WorkflowMeta } from '@boocode/shared/workflow/run-record';
import { WorkflowError } from '@boocode/workflows/engine/workflow-error';
import { checkScript } from '@boocode/workflows/script/check-script';

export type WorkflowOrigin = 'built-in' | 'project' | 'personal';

export interface CatalogEntry {
  name: string;
  origin: WorkflowOrigin;
  /** Where a runner workflow lives (relative path); absent for built-ins. */
  location?: string;
  /** Loads the script's text (runner workflows are fetched only when needed). */
  load(): Promise<string>;
}

export interface InspectedEntry extends CatalogEntry {
  meta?: WorkflowMeta;
  error?: RunError;
}

const builtIns = import.meta.glob<string>('../../../workflows/catalog/*.js', { query: '?raw', import: 'default' });

export function builtInWorkflows(): CatalogEntry[] {
  return Object.entries(builtIns)
    .map(([path, load]) => ({
      name: path.replace(/^.*\//, '').replace(/\.js$/, ''),
      origin: 'built-in' as const,
      load,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function runnerGet(pairing: RunnerPairing, path: string, signal?: AbortSignal): Promise<unknown> {
  const base = pairing.runnerUrl.replace(/\/+$/, '');
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${pairing.token}` }, signal });
  if (!res.ok) throw new Error(`The runner answered ${res.status} for ${path}.`);
  return res.json();
}

/** Project and personal workflows through the runner. */
export async function runnerWorkflows(pairing: RunnerPairing, signal?: AbortSignal): Promise<CatalogEntry[]> {
  const list = workflowListSchema.parse(await runnerGet(pairing, '/workflows', signal));
  return list.workflows.map((w) => ({
    name: w.name,
    origin: w.source,
    location: w.location,
    load: async () =>
      workflowSourceSchema.parse(await runnerGet(pairing, `/workflows/${encodeURIComponent(w.name)}`)).code,
  }));
}

/** Built-ins overlaid by the runner's workflows (same name: the runner's wins). */
export function mergeCatalog(builtIn: CatalogEntry[], fromRunner: CatalogEntry[]): CatalogEntry[] {
  const byName = new Map<string, CatalogEntry>();
  for (const entry of [...builtIn, ...fromRunner]) byName.set(entry.name, entry);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads a script's meta without running it; a refused script carries its error in words. */
export function inspectSource(source: string): { meta?: WorkflowMeta; error?: RunError } {
  try {
    return { meta: checkScript(source).meta };
  } catch (error) {
    if (error instanceof WorkflowError) return { error: error.toRunError() };
    return { error: { code: 'SCRIPT_ERROR', message: error instanceof Error ? error.message : String(error) } };
  }
}

export async function inspectEntry(entry: CatalogEntry): Promise<InspectedEntry> {
  try {
    return { ...entry, ...inspectSource(await entry.load()) };
  } catch (error) {
    return {
      ...entry,
      error: { code: 'SCRIPT_ERROR', message: error instanceof Error ? error.message : String(error) },
    };
  }
}

/** Args as the user typed them: empty means none; otherwise it must be JSON. */
export function parseArgsText(text: string): { ok: true; args: unknown } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, args: undefined };
  try {
    return { ok: true, args: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `Args must be JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
