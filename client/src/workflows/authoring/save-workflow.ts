// Saving a workflow from the editor into the project's `.boocode/workflows/<name>.js`: a write_file
// through the runner, asked like any other write. The shared approval policy over the runner's own
// rules decides first (deny wins, an allow rule writes at once, anything else asks the user); the
// runner enforces the same decision, so `approved` is only sent after the user said yes.
import { evaluateApproval } from '@boocode/shared/runner/approval-policy';
import { RunnerCallError, type RunnerClient } from '@boocode/shared/runner/runner-client-contract';
import { workflowNameSchema } from '@boocode/shared/runner/workflow-discovery';

export const PROJECT_WORKFLOWS_DIR = '.boocode/workflows';

export type SavePlan =
  | { kind: 'refused'; message: string }
  | { kind: 'write'; path: string; reason: string }
  | { kind: 'ask'; path: string; reason: string };

export function workflowPath(name: string): string {
  return `${PROJECT_WORKFLOWS_DIR}/${name}.js`;
}

/** Why a name cannot be a workflow file name, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (workflowNameSchema.safeParse(name).success) return undefined;
  return 'A workflow name is a file name without ".js": letters, digits, ".", "_" and "-", not starting with "." or "-".';
}

/** What saving will do, decided before anything is written. */
export async function planSave(client: RunnerClient, name: string, source: string): Promise<SavePlan> {
  const problem = nameProblem(name);
  if (problem) return { kind: 'refused', message: problem };
  const path = workflowPath(name);
  let rules: Awaited<ReturnType<RunnerClient['getRules']>>;
  try {
    rules = await client.getRules();
  } catch (error) {
    return { kind: 'refused', message: `The runner could not be asked for its rules: ${messageOf(error)}` };
  }
  const decision = evaluateApproval({ tool: 'write_file', input: { path, content: source } }, rules);
  if (decision.decision === 'deny') return { kind: 'refused', message: `Not saved: ${decision.reason}.` };
  if (decision.decision === 'allow') return { kind: 'write', path, reason: decision.reason };
  return { kind: 'ask', path, reason: decision.reason };
}

/** Writes the file; `approved` only after the user answered yes to an 'ask' plan. */
export async function writeWorkflow(
  client: RunnerClient,
  path: string,
  source: string,
  approved: boolean,
): Promise<{ path: string; created: boolean }> {
  const out = (await client.callTool('write_file', { path, content: source }, approved ? { approved: true } : {})) as
    | { path?: unknown; created?: unknown }
    | undefined;
  return { path, created: out?.created === true };
}

export function messageOf(error: unknown): string {
  if (error instanceof RunnerCallError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
