// What `workflow(name)` finds, the same in the CLI, the browser worker and the agent host: the one
// place that says the search order, refuses a name that matches nothing (saying where it looked)
// and refuses a cycle (A runs B runs A) with the chain. Where scripts come from is the caller's:
// it passes a lookup (files under Node, the runner's listing in a tab).

/** Where a workflow can live, in the order a name is looked up. */
export type WorkflowPlace =
  /** A folder given on the command line (`--workflows-dir`): searched first, in the order given. */
  | { kind: 'extra'; dir: string }
  | { kind: 'project'; dir: '.boocode/workflows' | '.claude/workflows' }
  | { kind: 'personal'; dir: '~/.boocode/workflows' }
  | { kind: 'catalog' };

export const PROJECT_WORKFLOW_DIRS = ['.boocode/workflows', '.claude/workflows'] as const;
export const PERSONAL_WORKFLOW_DIR = '~/.boocode/workflows';

/** The search order: extra folders, the project's `.boocode` then `.claude`, the personal folder, the catalog. */
export function workflowSearchOrder(extraDirs: readonly string[] = []): WorkflowPlace[] {
  return [
    ...extraDirs.map((dir) => ({ kind: 'extra' as const, dir })),
    ...PROJECT_WORKFLOW_DIRS.map((dir) => ({ kind: 'project' as const, dir })),
    { kind: 'personal', dir: PERSONAL_WORKFLOW_DIR },
    { kind: 'catalog' },
  ];
}

export function describePlace(place: WorkflowPlace): string {
  return place.kind === 'catalog' ? 'the built-in catalog' : place.dir;
}

/** A script's text from one place, or undefined when that place has no workflow of that name. */
export type WorkflowLookup = (place: WorkflowPlace, name: string) => Promise<string | undefined> | string | undefined;

export interface FoundWorkflow {
  name: string;
  source: string;
  place: WorkflowPlace;
}

/** A refusal of workflow(name): not found, a cycle, or a name that cannot be a file name. */
export class WorkflowLookupError extends Error {
  override readonly name = 'WorkflowLookupError';
  constructor(
    readonly reason: 'not-found' | 'cycle' | 'bad-name',
    message: string,
  ) {
    super(message);
  }
}

/** A workflow name is a plain file name without `.js` (the runner's rule): no separators, no leading dot. */
export const WORKFLOW_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Finds `name` in the places, first match wins; throws a WorkflowLookupError saying where it looked. */
export async function findWorkflow(
  name: string,
  lookup: WorkflowLookup,
  places: readonly WorkflowPlace[] = workflowSearchOrder(),
): Promise<FoundWorkflow> {
  if (!WORKFLOW_NAME.test(name)) {
    throw new WorkflowLookupError(
      'bad-name',
      `workflow("${name}"): a workflow name is a file name without ".js" (letters, digits, ".", "_", "-"; no "/")`,
    );
  }
  for (const place of places) {
    const source = await lookup(place, name);
    if (source !== undefined) return { name, source, place };
  }
  throw new WorkflowLookupError(
    'not-found',
    `workflow("${name}"): no workflow with that name; looked in ${places.map(describePlace).join(', ')}`,
  );
}

/**
 * Refuses running `name` inside the chain of workflows already running (outermost first).
 * "A → B → A" is a cycle whatever the depth limit says, and is reported as one.
 */
export function assertNoCycle(chain: readonly string[], name: string): void {
  if (chain.includes(name)) {
    throw new WorkflowLookupError(
      'cycle',
      `workflow("${name}"): refused, it would run itself: ${[...chain, name].join(' → ')}`,
    );
  }
}

/**
 * The resolver the engine takes (`resolveWorkflow`), for a lookup and the places to search. The
 * agent host calls this with a Node lookup (see catalog/node-workflow-lookup.ts).
 */
export function createWorkflowResolver(
  lookup: WorkflowLookup,
  places: readonly WorkflowPlace[] = workflowSearchOrder(),
): (name: string) => Promise<FoundWorkflow> {
  return (name) => findWorkflow(name, lookup, places);
}
