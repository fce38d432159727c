// The built-in catalog read from disk, for Node (tests, the headless command). The browser
// bundles the same files (e.g. Vite `import.meta.glob('../../catalog/*.js', { query: '?raw' })`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolveWorkflow } from '../engine/run-workflow.ts';
import { inspectWorkflow } from '../engine/run-workflow.ts';

export const CATALOG_DIR = fileURLToPath(new URL('../../catalog/', import.meta.url));

/** name (from meta) -> source for every script in `dir`; an invalid script is an error, not a gap. */
export function readCatalog(dir: string = CATALOG_DIR): Map<string, string> {
  const catalog = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    const inspected = inspectWorkflow(source);
    if (!inspected.ok) throw new Error(`${file}: ${inspected.error.code}: ${inspected.error.message}`);
    catalog.set(inspected.meta.name, source);
  }
  return catalog;
}

export function catalogResolver(catalog: Map<string, string>): ResolveWorkflow {
  return (name) => catalog.get(name);
}
