// The tools a session gets for background subagents (spawn_subagent, subagent_status, subagent_result,
// subagent_merge), and a composer that adds them to the session's other tools. The tools only talk to the manager.
import type { ToolDefinition, ToolExecutor, ToolInvocation, ToolResult } from '../engine-deps.ts';

export const SUBAGENT_TOOL_DEFS: ToolDefinition[] = [
  {
    name: 'spawn_subagent',
    description:
      'Start a subagent in the background on a task and return its id at once. Its result arrives as a message ' +
      'when it finishes; use subagent_status / subagent_result to look earlier.',
    parameters: {
      type: 'object',
      properties: {
        prompt: { type: 'string', description: 'The task, self-contained: the subagent sees nothing else.' },
        label: { type: 'string', description: 'A short name for the subagent.' },
        model: { type: 'string' },
        tools: { type: 'array', items: { type: 'string' }, description: 'Tool names the subagent may use.' },
        worktree: {
          type: 'boolean',
          description:
            'Give this coder subagent its own git worktree on a new branch, so parallel subagents never edit the same ' +
            'files. When it finishes, merge or discard its changes with subagent_merge.',
        },
      },
      required: ['prompt'],
    },
    // Re-running it after a crash would start a second child: resume must ask first.
    readOnly: false,
  },
  {
    name: 'subagent_status',
    description: "Status of one of this session's subagents (by id) or of all of them.",
    parameters: { type: 'object', properties: { id: { type: 'string' } } },
    readOnly: true,
  },
  {
    name: 'subagent_merge',
    description:
      "Bring a finished subagent's worktree changes into the workspace (as uncommitted changes) with action " +
      '"merge", or throw them away with "discard". Either way its worktree and branch are removed. Only for ' +
      'subagents spawned with worktree: true; a merge that conflicts with the workspace changes nothing.',
    parameters: {
      type: 'object',
      properties: { id: { type: 'string' }, action: { type: 'string', enum: ['merge', 'discard'] } },
      required: ['id', 'action'],
    },
    // It changes the workspace: never re-run on resume without asking.
    readOnly: false,
  },
  {
    name: 'subagent_result',
    description: "A finished subagent's final answer or error.",
    parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    readOnly: true,
  },
];

export interface SpawnRequest {
  prompt: string;
  label?: string;
  model?: string;
  tools?: string[];
  /** Ask for a git worktree of its own. */
  worktree?: boolean;
}

/** What the tools need from the manager, for one parent session. */
export interface SubagentToolBackend {
  spawn(req: SpawnRequest, spawningSpanId: string): ToolResult | Promise<ToolResult>;
  statusText(id?: string): ToolResult;
  resultText(id: string): ToolResult;
  resolveWorktree(id: string, action: 'merge' | 'discard'): Promise<ToolResult>;
}

const NAMES = new Set(SUBAGENT_TOOL_DEFS.map((d) => d.name));

export function withSubagentTools(backend: SubagentToolBackend, base?: ToolExecutor): ToolExecutor {
  return {
    definitions: () => [...(base?.definitions() ?? []).filter((d) => !NAMES.has(d.name)), ...SUBAGENT_TOOL_DEFS],
    execute: async (call, ctx) => {
      if (!NAMES.has(call.name)) {
        if (!base)
          return { ok: false, error: { code: 'UNKNOWN_TOOL', message: `There is no tool named "${call.name}".` } };
        return base.execute(call, ctx);
      }
      return runSubagentTool(backend, call, ctx.spanId);
    },
  };
}

function runSubagentTool(
  backend: SubagentToolBackend,
  call: ToolInvocation,
  spanId: string,
): ToolResult | Promise<ToolResult> {
  const args = (call.args ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
  if (call.name === 'subagent_status') return backend.statusText(str(args.id));
  const id = str(args.id);
  if (call.name === 'subagent_result')
    return id ? backend.resultText(id) : invalid('subagent_result needs the subagent id.');
  if (call.name === 'subagent_merge') {
    if (!id) return invalid('subagent_merge needs the subagent id.');
    if (args.action !== 'merge' && args.action !== 'discard')
      return invalid('subagent_merge needs action "merge" or "discard".');
    return backend.resolveWorktree(id, args.action);
  }
  const prompt = str(args.prompt);
  if (!prompt) return invalid('spawn_subagent needs a non-empty prompt.');
  const tools = Array.isArray(args.tools) ? args.tools.filter((t): t is string => typeof t === 'string') : undefined;
  const worktree = args.worktree === true ? { worktree: true } : {};
  return backend.spawn({ prompt, label: str(args.label), model: str(args.model), tools, ...worktree }, spanId);
}

function invalid(message: string): ToolResult {
  return { ok: false, error: { code: 'INVALID_ARGUMENTS', message } };
}
