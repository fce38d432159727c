// GET /workflows and GET /workflows/:name: workflow scripts in the project
// (.boocode/workflows, .claude/workflows) and the user's ~/.boocode/workflows. A project
// workflow wins over a personal one with the same name. Project files pass the path guard,
// so a symlinked workflow cannot read outside the workspace.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type WorkflowEntry, type WorkflowSource, workflowNameSchema } from '@boocode/shared/runner/workflow-discovery';
import type { FastifyInstance } from 'fastify';
import { resolveInsideWorkspace, withWalk } from './path-guard.ts';
import { parseBody } from './request-body.ts';
import { RunnerError } from './runner-error.ts';

const PROJECT_DIRS = ['.boocode/workflows', '.claude/workflows'];
const PERSONAL_DIR = '.boocode/workflows';

async function jsNames(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.js'))
      .map((e) => e.name.slice(0, -3))
      .filter((name) => workflowNameSchema.safeParse(name).success)
      .sort();
  } catch {
    return [];
  }
}

export async function discoverWorkflows(workspace: string, home: string): Promise<WorkflowEntry[]> {
  const found = new Map<string, WorkflowEntry>();
  for (const dir of PROJECT_DIRS) {
    const resolved = await resolveInsideWorkspace(workspace, dir).catch(() => undefined);
    if (!resolved?.exists) continue;
    for (const name of await jsNames(resolved.absolute)) {
      if (!found.has(name)) found.set(name, { name, source: 'project', location: `${dir}/${name}.js` });
    }
  }
  for (const name of await jsNames(join(home, PERSONAL_DIR))) {
    if (!found.has(name)) found.set(name, { name, source: 'personal', location: `~/${PERSONAL_DIR}/${name}.js` });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function readWorkflow(workspace: string, home: string, entry: WorkflowEntry): Promise<string> {
  if (entry.source === 'project') {
    // Read through the walk's descriptor, not the path again: a symlink swapped in meanwhile is not followed.
    return withWalk(workspace, entry.location, async (walked) => {
      if (walked.kind !== 'entry' || !walked.stats.isFile()) {
        throw new RunnerError('NOT_FOUND', `The workflow file ${entry.location} is not a regular file.`, 404);
      }
      return walked.handle.readFile('utf8');
    });
  }
  return readFile(join(home, PERSONAL_DIR, `${entry.name}.js`), 'utf8');
}

export function registerWorkflowRoutes(app: FastifyInstance, deps: { workspace: string; home: string }): void {
  app.get('/workflows', async () => ({ workflows: await discoverWorkflows(deps.workspace, deps.home) }));
  app.get<{ Params: { name: string } }>('/workflows/:name', async (request): Promise<WorkflowSource> => {
    const name = parseBody(workflowNameSchema, request.params.name);
    const entry = (await discoverWorkflows(deps.workspace, deps.home)).find((w) => w.name === name);
    if (!entry) throw new RunnerError('NOT_FOUND', `No workflow named "${name}".`, 404);
    return { ...entry, code: await readWorkflow(deps.workspace, deps.home, entry) };
  });
}
