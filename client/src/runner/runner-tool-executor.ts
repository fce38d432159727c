// The browser's ToolExecutor for coder sessions: every tool is a call to the local runner.
// Read-only tools run at once; writes and commands go through the shared approval policy with the
// runner's own rules: an `ask` waits for the user's answer in the chat, then the call is sent again
// with `approved: true` (beside the input, never inside it, so the model cannot approve itself).
import type { ToolDefinition, ToolExecutor, ToolResult } from '@boocode/shared/agent/engine-deps';
import type { AbortSignalLike } from '@boocode/shared/model/model-client';
import { evaluateApproval, suggestAllowRule } from '@boocode/shared/runner/approval-policy';
import { isToolName, runnerTools, type ToolName } from '@boocode/shared/runner/tool-contracts';
import { modelToolDefinitions } from '@boocode/shared/runner/tool-definitions';
import type { ApprovalQueue } from './approval-queue.ts';
import type { LiveOutputSink } from './live-output.ts';
import { RunnerCallError, type RunnerClient } from './runner-client.ts';

export function runnerToolDefinitions(): ToolDefinition[] {
  return modelToolDefinitions().map((d) => ({
    name: d.function.name,
    description: d.function.description,
    parameters: d.function.parameters,
    readOnly: runnerTools[d.function.name].access === 'read',
  }));
}

export interface RunnerToolExecutorOptions {
  /**
   * Pin every call to this git worktree (a coder subagent's session id): its files and commands are the
   * worktree's, never the shared workspace's. Approval is asked exactly as without it.
   */
  worktree?: string;
}

/** `liveOutput` receives a running command's output as it arrives (to show it before the call ends). */
export function createRunnerToolExecutor(
  client: RunnerClient,
  approvals: ApprovalQueue,
  liveOutput?: LiveOutputSink,
  options: RunnerToolExecutorOptions = {},
): ToolExecutor {
  const defs = runnerToolDefinitions();
  const run = async (tool: ToolName, args: unknown, approved: boolean, signal: AbortSignal, spanId: string) => {
    const opts = {
      approved: approved || undefined,
      signal,
      ...(options.worktree ? { worktree: options.worktree } : {}),
    };
    if (tool !== 'run_command' || !liveOutput) return done(await client.callTool(tool, args, opts));
    const onOutput = (_stream: 'stdout' | 'stderr', text: string) => liveOutput(spanId, text);
    return done(await client.streamCommand(args, { ...opts, onOutput }));
  };
  return {
    definitions: () => defs,
    async execute(call, ctx): Promise<ToolResult> {
      const signal = nativeAbortSignal(ctx.signal);
      if (!isToolName(call.name))
        return { ok: false, error: { code: 'UNKNOWN_TOOL', message: `There is no tool named "${call.name}".` } };
      const tool: ToolName = call.name;
      try {
        if (runnerTools[tool].access === 'read') return await run(tool, call.args, false, signal, ctx.spanId);
        const rules = await client.getRules(signal);
        const decision = evaluateApproval({ tool, input: call.args }, rules);
        if (decision.decision === 'deny')
          return { ok: false, error: { code: 'DENIED_BY_RULE', message: `Not run: ${decision.reason}.` } };
        if (decision.decision === 'allow') return await run(tool, call.args, false, signal, ctx.spanId);
        if (approvals.takePreApproval(call.id)) return await run(tool, call.args, true, signal, ctx.spanId);
        const rule = suggestAllowRule({ tool, input: call.args });
        const answer = await approvals.ask(
          {
            spanId: ctx.spanId,
            tool,
            input: call.args,
            reason: decision.reason,
            canAlwaysAllow: rule !== undefined,
            ...(decision.danger ? { danger: decision.danger } : {}),
          },
          signal,
        );
        if (signal.aborted) return { ok: false, error: { code: 'cancelled', message: 'Cancelled by the user.' } };
        if (answer === 'deny')
          return { ok: false, error: { code: 'DENIED_BY_USER', message: 'The user denied this tool call.' } };
        if (answer === 'always' && rule) await client.putRules([...(await client.getRules(signal)), rule]);
        return await run(tool, call.args, true, signal, ctx.spanId);
      } catch (e) {
        if (e instanceof RunnerCallError) return { ok: false, error: { code: e.code, message: e.message } };
        throw e;
      }
    },
  };
}

function done(output: unknown): ToolResult {
  return { ok: true, output: typeof output === 'string' ? output : JSON.stringify(output, null, 2) };
}

/** fetch honours only a native AbortSignal; the engine hands out its own signal-like object. */
function nativeAbortSignal(like: AbortSignalLike): AbortSignal {
  const controller = new AbortController();
  if (like.aborted) controller.abort(like.reason);
  else like.addEventListener('abort', () => controller.abort(like.reason), { once: true });
  return controller.signal;
}
