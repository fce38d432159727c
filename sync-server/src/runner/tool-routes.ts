// POST /tools/<name>: validates the envelope with the shared schema, enforces the approval
// policy, runs the tool. run_command answers JSON, or streams SSE frames when the client sends
// `Accept: text/event-stream`; a client that goes away cancels its command.
import { approvalRulesSchema, evaluateApproval, mayRun } from '@boocode/shared/runner/approval-policy';
import { controlPathKind } from '@boocode/shared/runner/control-paths';
import {
  isToolName,
  type ReadFileInput,
  type RunCommandInput,
  runnerTools,
  type ToolName,
} from '@boocode/shared/runner/tool-contracts';
import { type CommandEvent, commandIdSchema, toolRequestSchema } from '@boocode/shared/runner/tool-request';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ApprovalRulesStore } from './approval-rules-store.ts';
import { type CommandLauncher, newCommandId } from './command-launcher.ts';
import { editWorkspaceFile, readWorkspaceFile, type TargetCheck, writeWorkspaceFile } from './file-tools.ts';
import type { MatcherPool } from './grep-matchers.ts';
import { grepWorkspace } from './grep-tool.ts';
import { listWorkspaceFiles } from './list-files.ts';
import { parseBody } from './request-body.ts';
import { RunnerError } from './runner-error.ts';
import type { WorktreeStore } from './worktrees.ts';

export interface ToolRouteDeps {
  workspace: string;
  rules: ApprovalRulesStore;
  commands: CommandLauncher;
  worktrees: WorktreeStore;
  /** Folders no file tool may enter, even inside the root (the runner's and the server's data). */
  privateDirs: readonly string[];
  grepTimeoutMs?: number;
  grepMatchers?: MatcherPool;
}

/** The root a call is confined to: the workspace, or the worktree the envelope names (unknown ids refused). */
export function toolRoot(deps: Pick<ToolRouteDeps, 'workspace' | 'worktrees'>, worktree: string | undefined) {
  return worktree === undefined ? Promise.resolve(deps.workspace) : deps.worktrees.rootOf(worktree);
}

function runFileTool(deps: ToolRouteDeps, path: string, name: Exclude<ToolName, 'run_command'>, input: unknown) {
  const root = { path, privateDirs: deps.privateDirs };
  switch (name) {
    case 'read_file':
      return readWorkspaceFile(root, input as ReadFileInput);
    case 'write_file': {
      const write = input as Parameters<typeof writeWorkspaceFile>[1];
      return writeWorkspaceFile(root, write, refuseControlPathViaLink(name, write.path));
    }
    case 'edit_file': {
      const edit = input as Parameters<typeof editWorkspaceFile>[1];
      return editWorkspaceFile(root, edit, refuseControlPathViaLink(name, edit.path));
    }
    case 'list_files':
      return listWorkspaceFiles(root, input as Parameters<typeof listWorkspaceFiles>[1]);
    case 'grep':
      return grepWorkspace(root, input as Parameters<typeof grepWorkspace>[1], {
        timeoutMs: deps.grepTimeoutMs,
        matchers: deps.grepMatchers,
      });
  }
}

/** SSE writer that holds events until the response head is out (spawn can beat it). */
function eventSink(reply: FastifyReply) {
  const pending: CommandEvent[] = [];
  let open = false;
  const write = (event: CommandEvent) => reply.raw.write(`data: ${JSON.stringify(event)}\n\n`);
  return {
    send(event: CommandEvent) {
      if (open) write(event);
      else pending.push(event);
    },
    open() {
      open = true;
      for (const event of pending.splice(0)) write(event);
    },
  };
}

async function streamCommand(
  deps: ToolRouteDeps,
  reply: FastifyReply,
  input: RunCommandInput,
  envelope: { approved?: boolean; commandId?: string },
  root: string,
): Promise<void> {
  const sink = eventSink(reply);
  const commandId = envelope.commandId ?? newCommandId();
  // Throws (as JSON) before the stream opens when the call is refused or the cwd is outside.
  const launched = await deps.commands.launch(input, {
    approved: envelope.approved,
    commandId,
    root,
    hooks: {
      onStart: (pid) => sink.send({ type: 'command-start', commandId, pid }),
      onOutput: (stream, text) => sink.send({ type: 'command-delta', stream, text }),
    },
  });
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  reply.raw.flushHeaders();
  sink.open();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) launched.cancel();
  });
  try {
    sink.send({ type: 'command-end', result: await launched.done });
  } catch (error) {
    const body = error instanceof RunnerError ? error.toBody() : { code: 'INTERNAL' as const, message: String(error) };
    sink.send({ type: 'command-error', error: body });
  }
  reply.raw.end();
}

/**
 * The approval above judged the path as written; a symbolic link can lead an innocent name into `.git/`. Such a
 * write is refused even when approved: the prompt showed the name, not where it leads. Written by its real
 * name, it asks with the danger in words instead. Checked on the walk that writes (file-tools.ts), so a link
 * swapped in after an earlier look cannot lead there.
 */
function refuseControlPathViaLink(name: 'write_file' | 'edit_file', path: string): TargetCheck {
  return (real) => {
    if (controlPathKind(path) || !controlPathKind(real)) return;
    throw new RunnerError(
      'CONTROL_PATH_VIA_LINK',
      `${name} was not run: "${path}" leads to "${real}" through a symbolic link, inside git's own folder or the hooks file, where a write can make a program run. Write it by that name if it is meant, and it will ask.`,
      403,
    );
  };
}

export function registerToolRoutes(app: FastifyInstance, deps: ToolRouteDeps): void {
  app.post<{ Params: { name: string } }>('/tools/:name', async (request, reply) => {
    const name = request.params.name;
    if (!isToolName(name)) throw new RunnerError('NOT_FOUND', `There is no tool named "${name}".`, 404);
    const envelope = parseBody(toolRequestSchema(runnerTools[name].input), request.body);
    const root = await toolRoot(deps, envelope.worktree);
    if (name === 'run_command') {
      const input = envelope.input as RunCommandInput;
      if (request.headers.accept?.includes('text/event-stream'))
        return streamCommand(deps, reply, input, envelope, root);
      const launched = await deps.commands.launch(input, {
        approved: envelope.approved,
        commandId: envelope.commandId,
        root,
      });
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) launched.cancel();
      });
      return launched.done;
    }
    const decision = evaluateApproval({ tool: name, input: envelope.input }, deps.rules.current());
    if (!mayRun(decision, envelope.approved)) {
      const code = decision.decision === 'deny' ? 'DENIED_BY_RULE' : 'APPROVAL_REQUIRED';
      throw new RunnerError(code, `${name} was not run: ${decision.reason}.`, 403, { decision });
    }
    return runFileTool(deps, root, name, envelope.input);
  });

  app.post<{ Params: { id: string } }>('/commands/:id/cancel', async (request) => {
    const id = parseBody(commandIdSchema, request.params.id);
    if (!deps.commands.cancel(id)) throw new RunnerError('NOT_FOUND', `No running command ${id}.`, 404);
    return { cancelled: true };
  });

  app.get('/approval/rules', async () => ({ rules: deps.rules.current() }));
  app.put('/approval/rules', async (request) => {
    const { rules } = parseBody(z.strictObject({ rules: approvalRulesSchema }), request.body);
    await deps.rules.replace(rules);
    return { rules };
  });
}
