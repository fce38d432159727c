// Everything between a validated run_command request and a running process: the approval
// check, the cwd guard, the timeout clamp, a scrubbed environment, and the registry of running
// commands that the cancel endpoint and client disconnects use.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { evaluateApproval, mayRun } from '@boocode/shared/runner/approval-policy';
import type { RunCommandInput, RunCommandResult } from '@boocode/shared/runner/tool-contracts';
import type { ApprovalRulesStore } from './approval-rules-store.ts';
import { hardenGitInvocation } from './harden-git-invocation.ts';
import { resolveInsideWorkspace } from './path-guard.ts';
import { type CommandHooks, CommandStartError, runCommand } from './run-command.ts';
import { RunnerError } from './runner-error.ts';

export interface CommandLimits {
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  maxOutputBytes: number;
}

export const DEFAULT_COMMAND_LIMITS: CommandLimits = {
  defaultTimeoutMs: 30_000,
  maxTimeoutMs: 10 * 60_000,
  maxOutputBytes: 32 * 1024,
};

export interface CommandLauncher {
  /** Throws RunnerError before anything starts; resolves when the process group is gone. */
  launch(
    input: RunCommandInput,
    options: {
      approved?: boolean;
      commandId?: string;
      maxOutputBytes?: number;
      hooks?: Omit<CommandHooks, 'signal'>;
      /** Confine the cwd here instead of the workspace (a subagent's worktree). */
      root?: string;
    },
  ): Promise<{ commandId: string; done: Promise<RunCommandResult>; cancel: () => void }>;
  cancel(commandId: string): boolean;
  /** On shutdown: no command outlives the runner. */
  cancelAll(): void;
}

export function newCommandId(): string {
  return `cmd_${Date.now().toString(36)}_${randomBytes(6).toString('base64url')}`;
}

export function authorizeCommand(
  rules: ApprovalRulesStore,
  input: RunCommandInput,
  approved: boolean | undefined,
): void {
  const decision = evaluateApproval({ tool: 'run_command', input }, rules.current());
  if (mayRun(decision, approved)) return;
  const code = decision.decision === 'deny' ? 'DENIED_BY_RULE' : 'APPROVAL_REQUIRED';
  throw new RunnerError(code, `run_command was not run: ${decision.reason}.`, 403, { decision });
}

export function createCommandLauncher(deps: {
  workspace: string;
  rules: ApprovalRulesStore;
  limits: CommandLimits;
  env: NodeJS.ProcessEnv;
}): CommandLauncher {
  const running = new Map<string, AbortController>();
  return {
    async launch(input, options) {
      authorizeCommand(deps.rules, input, options.approved);
      const cwd = await resolveInsideWorkspace(options.root ?? deps.workspace, input.cwd ?? '.');
      if (!cwd.exists || !(await stat(cwd.absolute)).isDirectory()) {
        throw new RunnerError('NOT_A_DIRECTORY', `The working directory "${input.cwd}" is not a directory.`);
      }
      // git in the command runs with the runner's hardened config; refusals are thrown before anything starts.
      const env = await hardenGitInvocation({
        ...input,
        args: input.args ?? [],
        shell: input.shell === true,
        cwd: cwd.absolute,
        env: deps.env,
      });
      const commandId = options.commandId ?? newCommandId();
      if (running.has(commandId)) throw new RunnerError('INVALID_REQUEST', `Command ${commandId} is already running.`);
      const controller = new AbortController();
      running.set(commandId, controller);
      const spec = {
        command: input.command,
        args: input.args ?? [],
        cwd: cwd.absolute,
        shell: input.shell === true,
        timeoutMs: Math.min(input.timeoutMs ?? deps.limits.defaultTimeoutMs, deps.limits.maxTimeoutMs),
        maxOutputBytes: options.maxOutputBytes ?? deps.limits.maxOutputBytes,
        env,
      };
      const done = runCommand(spec, { ...options.hooks, signal: controller.signal })
        .catch((error: unknown) => {
          if (error instanceof CommandStartError) throw new RunnerError('COMMAND_FAILED_TO_START', error.message, 422);
          throw error;
        })
        .finally(() => running.delete(commandId));
      return { commandId, done, cancel: () => controller.abort() };
    },
    cancel(commandId) {
      const controller = running.get(commandId);
      controller?.abort();
      return controller !== undefined;
    },
    cancelAll() {
      for (const controller of running.values()) controller.abort();
    },
  };
}

/** The runner's environment minus its own secrets: commands the agent runs never see them. */
export function scrubbedEnv(env: NodeJS.ProcessEnv, secretNames: readonly string[]): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of ['BOOCODE_RUNNER_TOKEN', ...secretNames]) delete copy[name];
  return copy;
}
