// workflow(name) under Node (the CLI, the agent host): reads `<folder>/<name>.js` from the project's
// folders, the personal folder and any extra folders, and the built-in catalog, in the order
// engine/workflow-resolver.ts sets. A file that is a link leading out of its folder is not read.
import { readFile, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import {
  createWorkflowResolver,
  type FoundWorkflow,
  type WorkflowLookup,
  type WorkflowPlace,
  workflowSearchOrder,
} from '../engine/workflow-resolver.ts';
import { readCatalog } from './node-catalog.ts';

export interface NodeWorkflowPlaces {
  /** The project's root (its `.boocode/workflows` and `.claude/workflows`). */
  projectDir: string;
  /** Home, for `~/.boocode/workflows` (default: os.homedir()). */
  homeDir?: string;
  /** More folders, searched first in the order given (relative to the project). */
  extraDirs?: readonly string[];
  /** The built-in catalog, name -> source (default: catalog/*.js). */
  catalog?: ReadonlyMap<string, string>;
}

/** The folder on disk a place stands for (undefined for the catalog). */
export function placeFolder(place: WorkflowPlace, options: NodeWorkflowPlaces): string | undefined {
  switch (place.kind) {
    case 'extra':
      return resolve(options.projectDir, place.dir);
    case 'project':
      return join(options.projectDir, place.dir);
    case 'personal':
      return join(options.homeDir ?? homedir(), '.boocode/workflows');
    case 'catalog':
      return undefined;
  }
}

export function nodeWorkflowLookup(options: NodeWorkflowPlaces): WorkflowLookup {
  let catalog = options.catalog;
  return async (place, name) => {
    const folder = placeFolder(place, options);
    if (folder === undefined) {
      catalog ??= readCatalog();
      return catalog.get(name);
    }
    return readInside(folder, `${name}.js`);
  };
}

/**
 * The resolver the agent host (and the CLI) gives the engine: `startWorkflow({ resolveWorkflow:
 * createNodeWorkflowResolver({ projectDir }) })`.
 */
export function createNodeWorkflowResolver(options: NodeWorkflowPlaces): (name: string) => Promise<FoundWorkflow> {
  return createWorkflowResolver(nodeWorkflowLookup(options), workflowSearchOrder(options.extraDirs));
}

async function readInside(folder: string, file: string): Promise<string | undefined> {
  let realFolder: string;
  let realFile: string;
  try {
    realFolder = await realpath(folder);
    realFile = await realpath(join(folder, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw error;
  }
  const inside = relative(realFolder, realFile);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new Error(`${join(folder, file)} links outside its folder; it is not read`);
  }
  return readFile(realFile, 'utf8');
}
