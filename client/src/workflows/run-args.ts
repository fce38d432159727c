// The arguments form of a workflow: what its meta says about its args (a description, an example;
// without either, an empty object), and the args last used for it on this device, kept so a
// re-run starts from them instead of an empty box.
import type { WorkflowMeta } from '@boocode/shared/workflow/run-record';

export interface ArgsHelp {
  description?: string;
  /** The example as JSON text, or "{}" when the meta gives none. */
  placeholder: string;
}

/** meta.args may be a description string or `{ description?, example? }` (Claude Code scripts vary). */
export function argsHelp(meta: WorkflowMeta | undefined): ArgsHelp {
  const args = (meta as Record<string, unknown> | undefined)?.args;
  if (typeof args === 'string') return { description: args, placeholder: '{}' };
  if (args && typeof args === 'object' && !Array.isArray(args)) {
    const { description, example } = args as { description?: unknown; example?: unknown };
    return {
      ...(typeof description === 'string' ? { description } : {}),
      placeholder: example === undefined ? '{}' : JSON.stringify(example, null, 2),
    };
  }
  return { placeholder: '{}' };
}

const key = (workflowName: string) => `boocode.workflow-args.${workflowName}`;

export function recallArgs(workflowName: string): string {
  try {
    return localStorage.getItem(key(workflowName)) ?? '';
  } catch {
    return ''; // storage refused (private mode): the form starts empty
  }
}

export function rememberArgs(workflowName: string, text: string): void {
  try {
    if (text.trim()) localStorage.setItem(key(workflowName), text);
    else localStorage.removeItem(key(workflowName));
  } catch {
    // storage refused: the run still starts, only the args are not kept
  }
}

/** What a new run of this workflow will take from earlier runs, said before it starts. */
export function reuseNote(cacheRule: 'spec-hash' | 'prefix'): string {
  return cacheRule === 'prefix'
    ? 'A re-run reuses only the unchanged prefix: agents are taken from earlier runs, in start order, until the first one that changed; the rest run again.'
    : 'A re-run reuses every agent whose prompt and options are unchanged (same spec hash) from earlier runs, at no token cost; only changed agents run.';
}
