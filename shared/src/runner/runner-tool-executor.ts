// The ToolExecutor for coder sessions, in a tab and on the agent host: every tool is a call to the runner.
// Read-only tools run at once; writes and commands go through the shared approval policy with the
// runner's own rules: an `ask` puts the question on the call's span in the doc and waits for the user's
// answer (from any tab or device), then the call is sent with `approved: true` (beside the input, never
// inside it, so the model cannot approve itself).
import type { ToolDefinition, ToolExecutor, ToolResult } from '../agent/engine-deps.ts';
import type { LiveOutputSink } from '../agent/live-output.ts';
import type { AbortSignalLike } from '../model/model-client.ts';
import { evaluateApproval, suggestAllowRule } from './approval-policy.ts';
import { RunnerCallError, type RunnerClient } from './runner-client-contract.ts';
import { isToolName, runnerTools, type ToolName } from './tool-contracts.ts';
import { modelToolDefinitions } from './tool-definitions.ts';

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
  liveOutput?: LiveOutputSink,
  options: RunnerToolExecutorOptions = {},
): ToolExecutor {
  const defs = runnerToolDefinitions();
  const run = async (tool: ToolName, args: unknown, approved: boolean, signal: AbortSignalLike, spanId: string) => {
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
      const signal = ctx.signal;
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
        if (ctx.approved) return await run(tool, call.args, true, signal, ctx.spanId);
        const rule = suggestAllowRule({ tool, input: call.args });
        const answer = await ctx.askApproval({
          reason: decision.reason,
          canAlwaysAllow: rule !== undefined,
          ...(decision.danger ? { danger: decision.danger } : {}),
        });
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
