// The headless command's --state file: the run (agents, outcome), its result cache, and what is
// needed to resume it by id (source, args, cache rule). Written after every agent that ends, so
// `--resume <runId>` picks up after a crash too.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CacheRule } from '@boocode/shared/workflow/run-record';
import { MemoryRunStore } from '../engine/run-store.ts';

interface SavedState {
  state: MemoryRunStore['state'];
  cache: [string, ReturnType<MemoryRunStore['cache']['get']>][];
  /** The script and its input, for --resume without naming the workflow again. */
  source?: string;
  args?: unknown;
  cacheRule?: CacheRule;
}

export interface LoadedState {
  store: MemoryRunStore;
  source?: string;
  args?: unknown;
  cacheRule?: CacheRule;
}

export function loadState(path: string | undefined): LoadedState {
  const store = new MemoryRunStore();
  if (!path || !existsSync(path)) return { store };
  const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedState;
  Object.assign(store.state, saved.state);
  for (const [hash, result] of saved.cache) if (result) store.cache.set(hash, result);
  return { store, source: saved.source, args: saved.args, cacheRule: saved.cacheRule };
}

export function saveState(
  path: string,
  store: MemoryRunStore,
  run: { source: string; args: unknown; cacheRule: CacheRule },
): void {
  const saved: SavedState = { state: store.state, cache: [...store.cache.entries()], ...run };
  // Write then rename: a crash mid-write must not leave a state file that no longer parses.
  writeFileSync(`${path}.tmp`, JSON.stringify(saved, null, 2));
  renameSync(`${path}.tmp`, path);
}
