// Everything between a validated run_command request and a running process: the approval
// check (with the built-in refusal of BooCode's private folders), the cwd guard, the timeout clamp,
// and the registry of running commands that the cancel endpoint and client disconnects use. The
// process itself is started by the command launcher (launcher-process.ts), never by the runner, so a
// command's parent holds no secret in its environment.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { evaluateApproval, mayRun } from '@boocode/shared/runner/approval-policy';
import type { RunCommandInput, RunCommandResult } from '@boocode/shared/runner/tool-contracts';
import type { ApprovalRulesStore } from './approval-rules-store.ts';
import { hardenGitInvocation } from './harden-git-invocation.ts';
import type { LaunchSpec } from './launcher-protocol.ts';
import { resolveInsideWorkspace } from './path-guard.ts';
import { type PrivateFolders, privateFolders, refuseNamingPrivateFolders } from './private-folders.ts';
import { type CommandHooks, CommandStartError } from './run-command.ts';
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
  privateFolders?: PrivateFolders,
): void {
  // Before the rules: no rule and no approval runs a command that names the token or keys' folder.
  if (privateFolders) refuseNamingPrivateFolders(input, privateFolders);
  const decision = evaluateApproval({ tool: 'run_command', input }, rules.current());
  if (mayRun(decision, approved)) return;
  const code = decision.decision === 'deny' ? 'DENIED_BY_RULE' : 'APPROVAL_REQUIRED';
  throw new RunnerError(code, `run_command was not run: ${decision.reason}.`, 403, { decision });
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Starts a process as the launcher does (launcher-client.ts); tests may hand in another. */
export type StartProcess = (spec: LaunchSpec, hooks: CommandHooks) => Promise<RunCommandResult>;

export function createCommandLauncher(deps: {
  workspace: string;
  rules: ApprovalRulesStore;
  limits: CommandLimits;
  start: StartProcess;
  /** The environment commands get: the allow-list (command-env.ts), never the runner's own. */
  env: Record<string, string>;
  /** Folders no command may name or run in (the runner's and the sync server's data). */
  privateDirs?: readonly string[];
  home?: string;
}): CommandLauncher {
  const running = new Map<string, AbortController>();
  const privateDirs = deps.privateDirs ?? [];
  const folders = privateFolders(privateDirs, { workspace: deps.workspace, home: deps.home ?? homedir() });
  return {
    async launch(input, options) {
      authorizeCommand(deps.rules, input, options.approved, folders);
      const root = { path: options.root ?? deps.workspace, privateDirs };
      const cwd = await resolveInsideWorkspace(root, input.cwd ?? '.');
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
      const spec: LaunchSpec = {
        command: input.command,
        args: input.args ?? [],
        cwd: cwd.absolute,
        shell: input.shell === true,
        timeoutMs: Math.min(input.timeoutMs ?? deps.limits.defaultTimeoutMs, deps.limits.maxTimeoutMs),
        maxOutputBytes: options.maxOutputBytes ?? deps.limits.maxOutputBytes,
        env: definedOnly(env),
      };
      const done = deps
        .start(spec, { ...options.hooks, signal: controller.signal })
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
