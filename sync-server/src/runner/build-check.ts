// GET /build and POST /build/run: the workspace's build/check command (auto-detected from
// package.json scripts, or set with PUT /build) and a run of it with errors trimmed for the
// agent. The run goes through the same approval policy as run_command: the script text lives
// in the workspace, which the agent can edit.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BuildCommand,
  type BuildInfo,
  type BuildRunResult,
  buildCommandSchema,
  pickBuildScript,
  trimBuildOutput,
} from '@boocode/shared/runner/build-check';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CommandLauncher } from './command-launcher.ts';
import { resolveInsideWorkspace } from './path-guard.ts';
import { parseBody } from './request-body.ts';
import { RunnerError } from './runner-error.ts';
import { readJsonFile, writePrivateFile } from './secret-files.ts';

/** Build output kept before trimming: errors are often at the end of a long log. */
const BUILD_OUTPUT_BYTES = 1024 * 1024;

async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function packageManager(rootReal: string): Promise<string> {
  if (await fileExists(join(rootReal, 'pnpm-lock.yaml'))) return 'pnpm';
  if (await fileExists(join(rootReal, 'yarn.lock'))) return 'yarn';
  return 'npm';
}

export async function detectBuildCommand(workspace: string): Promise<BuildCommand | null> {
  const manifest = await resolveInsideWorkspace(workspace, 'package.json');
  if (!manifest.exists) return null;
  let scripts: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(await readFile(manifest.absolute, 'utf8')) as { scripts?: Record<string, unknown> };
    scripts = parsed.scripts ?? {};
  } catch {
    return null;
  }
  const script = pickBuildScript(scripts);
  if (!script) return null;
  const rootReal = (await resolveInsideWorkspace(workspace, '.')).absolute;
  return { script, command: await packageManager(rootReal), args: ['run', script] };
}

const storedCommandsSchema = z.record(z.string(), buildCommandSchema);

/** Build commands set with PUT /build, per workspace (by real path), in the data dir. */
async function openConfiguredBuild(dataDir: string, workspace: string) {
  const path = join(dataDir, 'build-commands.json');
  const key = (await resolveInsideWorkspace(workspace, '.')).absolute;
  const all = storedCommandsSchema.catch({}).parse((await readJsonFile(path).catch(() => undefined)) ?? {});
  return {
    get: (): BuildCommand | undefined => all[key],
    async set(command: BuildCommand | null) {
      if (command) all[key] = command;
      else delete all[key];
      await writePrivateFile(path, `${JSON.stringify(all, null, 2)}\n`);
    },
  };
}

export async function registerBuildRoutes(
  app: FastifyInstance,
  deps: { workspace: string; dataDir: string; commands: CommandLauncher; timeoutMs: number; configured?: BuildCommand },
): Promise<void> {
  const stored = await openConfiguredBuild(deps.dataDir, deps.workspace);
  let configured = deps.configured ?? stored.get();
  const currentInfo = async (): Promise<BuildInfo> => {
    if (configured) return { command: configured, source: 'configured' };
    const detected = await detectBuildCommand(deps.workspace);
    return detected ? { command: detected, source: 'package.json' } : { command: null, source: 'none' };
  };

  app.get('/build', currentInfo);

  app.put('/build', async (request) => {
    const body = parseBody(z.strictObject({ command: buildCommandSchema.nullable() }), request.body);
    configured = body.command ?? undefined;
    await stored.set(body.command);
    return currentInfo();
  });

  app.post('/build/run', async (request): Promise<BuildRunResult> => {
    const { approved } = parseBody(z.strictObject({ approved: z.boolean().optional() }), request.body ?? {});
    const { command } = await currentInfo();
    if (!command) {
      throw new RunnerError(
        'NO_BUILD_COMMAND',
        'No build or check command: add a typecheck, build, lint or test script, or set one.',
        404,
      );
    }
    const launched = await deps.commands.launch(
      { command: command.command, args: command.args, timeoutMs: deps.timeoutMs },
      { approved, maxOutputBytes: BUILD_OUTPUT_BYTES },
    );
    const result = await launched.done;
    const ok = result.exitCode === 0 && !result.timedOut;
    const trimmed = ok ? { text: '', omittedLines: 0 } : trimBuildOutput(`${result.stdout}\n${result.stderr}`);
    return {
      command,
      ok,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
      errors: trimmed.text,
      omittedLines: trimmed.omittedLines,
    };
  });
}
