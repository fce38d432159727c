// workflow(name) in a tab: the same search order as the CLI and the agent host
// (engine/workflow-resolver.ts), with the project's and personal folders read through the runner's
// workflow discovery and the catalog from the bundle. The last listing (and every script read
// through it) is kept on this device, so nested workflows still resolve with the runner away.
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import {
  type WorkflowEntry,
  workflowListSchema,
  workflowSourceSchema,
} from '@boocode/shared/runner/workflow-discovery';
import {
  createWorkflowResolver,
  type FoundWorkflow,
  type WorkflowLookup,
  WorkflowLookupError,
  type WorkflowPlace,
} from '@boocode/workflows/engine/workflow-resolver';
import type { LocalDb } from '../docs/local-db.ts';
import { builtInWorkflows } from './workflow-catalog.ts';

interface CachedListing {
  at: number;
  workflows: (WorkflowEntry & { code?: string })[];
}

const cacheKey = (pairing: RunnerPairing) => `workflows.listing:${pairing.runnerUrl.replace(/\/+$/, '')}`;

async function runnerGet(pairing: RunnerPairing, path: string): Promise<unknown> {
  const base = pairing.runnerUrl.replace(/\/+$/, '');
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${pairing.token}` } });
  if (!res.ok) throw new Error(`the runner answered ${res.status} for ${path}`);
  return res.json();
}

/** The runner's listing now, or the one kept from last time (and why the runner's was not used). */
async function listing(db: LocalDb, pairing: RunnerPairing): Promise<{ listing: CachedListing; offline?: string }> {
  try {
    const fresh = workflowListSchema.parse(await runnerGet(pairing, '/workflows'));
    const kept = await readCache(db, pairing);
    const code = new Map(kept?.workflows.map((w) => [`${w.location}`, w.code]) ?? []);
    const next: CachedListing = {
      at: Date.now(),
      workflows: fresh.workflows.map((w) => ({ ...w, code: code.get(w.location) })),
    };
    await writeCache(db, pairing, next);
    return { listing: next };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const kept = await readCache(db, pairing);
    if (kept) {
      return {
        listing: kept,
        offline: `the runner was not reachable (${reason}); used its listing from ${new Date(kept.at).toISOString()}`,
      };
    }
    return {
      listing: { at: 0, workflows: [] },
      offline: `the runner was not reachable (${reason}) and no listing is kept on this device`,
    };
  }
}

async function readCache(db: LocalDb, pairing: RunnerPairing): Promise<CachedListing | undefined> {
  const row = await db.settings.get(cacheKey(pairing));
  return row?.value && typeof row.value === 'object' ? (row.value as CachedListing) : undefined;
}

async function writeCache(db: LocalDb, pairing: RunnerPairing, value: CachedListing): Promise<void> {
  await db.settings.put({ key: cacheKey(pairing), value });
}

/** Whether a runner entry lives in `place` (the listing keeps, per name, the first place in order). */
function entryIn(entry: WorkflowEntry, place: WorkflowPlace): boolean {
  if (place.kind === 'project') return entry.source === 'project' && entry.location.startsWith(`${place.dir}/`);
  if (place.kind === 'personal') return entry.source === 'personal';
  return false;
}

/**
 * The resolver a run driven from this tab gives the worker. The listing is read once per run; a
 * script is fetched when first asked for and kept for offline use.
 */
export function createTabWorkflowResolver(
  db: LocalDb,
  pairing: RunnerPairing | undefined,
): (name: string) => Promise<FoundWorkflow> {
  let current: Promise<{ listing: CachedListing; offline?: string }> | undefined;
  const builtIns = builtInWorkflows();
  const lookup: WorkflowLookup = async (place, name) => {
    if (place.kind === 'catalog') return builtIns.find((w) => w.name === name)?.load();
    if (!pairing || place.kind === 'extra') return undefined;
    current ??= listing(db, pairing);
    const { listing: list, offline } = await current;
    const entry = list.workflows.find((w) => w.name === name);
    if (!entry || !entryIn(entry, place)) return undefined;
    if (entry.code !== undefined && offline) return entry.code;
    try {
      const code = workflowSourceSchema.parse(await runnerGet(pairing, `/workflows/${encodeURIComponent(name)}`)).code;
      entry.code = code;
      await writeCache(db, pairing, list);
      return code;
    } catch (error) {
      if (entry.code !== undefined) return entry.code;
      throw new Error(`workflow("${name}"): ${entry.location} could not be read from the runner: ${String(error)}`);
    }
  };
  const resolve = createWorkflowResolver(lookup);
  return async (name) => {
    try {
      return await resolve(name);
    } catch (error) {
      if (!(error instanceof WorkflowLookupError) || error.reason !== 'not-found') throw error;
      const why = !pairing ? 'this device is not paired with a runner' : (await current)?.offline;
      throw why ? new WorkflowLookupError('not-found', `${error.message} (${why})`) : error;
    }
  };
}
