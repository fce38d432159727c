// What a turn runs with, decided when it starts: the model (this device's choice, or for a resume the
// model the session was running with), the client for it and how it asks for JSON (the provider registry
// says), and the tools: a coder session's runner tools, and the subagent tools only when the session has
// subagents on (coder sessions by default, chat sessions when the user turns them on) — their definitions
// cost every call, so a plain chat does not carry them. recordTurnModel writes the choice onto the session
// for a driver without device settings (the agent host).
import { spanLiveOutput } from '@boocode/shared/agent/live-output';
import { onlyTools } from '@boocode/shared/agent/only-tools';
import { systemPromptFor } from '@boocode/shared/agent/system-prompts';
import { getSessionMeta, sessionOffersSubagents, setSessionMeta } from '@boocode/shared/doc/session';
import { modelSupportsVision, structuredOutputOf } from '@boocode/shared/model/providers';
import { createRunnerClient } from '@boocode/shared/runner/runner-http-client';
import { createRunnerToolExecutor } from '@boocode/shared/runner/runner-tool-executor';
import type * as Y from 'yjs';
import { withSubagents } from '../agents/subagents.ts';
import { loadBlobForTurn } from '../attachments/blob-sync.ts';
import type { LocalDb } from '../docs/local-db.ts';
import { runnerAutoFixFor } from '../runner/auto-fix-rounds.ts';
import { readRunnerPairing } from '../runner/runner-pairing.ts';
import { createModelClient, resolveModel } from './model-access.ts';
import { readModelSettings } from './model-settings.ts';
import type { TurnSetup } from './session-driver.ts';

/**
 * Writes this device's model choice onto the session (model, provider, and the base URL of a keyless server
 * this device reaches directly), for a driver that has no device settings: the agent host.
 */
export async function recordTurnModel(db: LocalDb, doc: Y.Doc): Promise<void> {
  const settings = await readModelSettings(db);
  if (!settings.model) throw new Error('No model is chosen. Pick one in the composer or in Settings → Model.');
  const resolved = resolveModel(settings, await readRunnerPairing(db));
  if (resolved instanceof Error) throw resolved;
  setSessionMeta(doc, {
    model: settings.model,
    provider: settings.provider,
    modelBaseUrl: resolved.access === 'direct' ? resolved.endpoint.baseUrl : undefined,
  });
}

export async function prepareTurn(db: LocalDb, doc: Y.Doc, resume: boolean): Promise<TurnSetup> {
  const settings = await readModelSettings(db);
  const meta = getSessionMeta(doc);
  // A subagent's model is the one its lead asked for (recorded without a provider: this device's provider).
  const asked = meta?.parentId && meta.model && !meta.provider;
  const useSession = (resume || asked) && meta?.model && (asked || meta?.provider === settings.provider);
  const model = useSession && meta?.model ? meta.model : settings.model;
  if (!model) throw new Error('No model is chosen. Pick one in the composer or in Settings → Model.');
  const pairing = await readRunnerPairing(db);
  const resolved = resolveModel(settings, pairing);
  if (resolved instanceof Error) throw resolved;
  const coder = meta?.kind === 'coder';
  if (coder && !pairing)
    throw new Error('A coder session needs the local runner for its tools. Pair this device in Settings → Runner.');
  const runnerTools =
    coder && pairing
      ? createRunnerToolExecutor(createRunnerClient(pairing), spanLiveOutput(doc), { worktree: meta?.worktree })
      : undefined;
  const subagents = sessionOffersSubagents(meta);
  return {
    model,
    provider: settings.provider,
    client: createModelClient(resolved.endpoint),
    ...(subagents
      ? withSubagents(doc, runnerTools, meta?.tools)
      : { tools: runnerTools && meta?.tools ? onlyTools(runnerTools, meta.tools) : runnerTools }),
    // The runner's build check runs in the shared workspace: a child in its own worktree has none.
    autoFix: coder && pairing && !meta?.worktree ? await runnerAutoFixFor(db, pairing) : undefined,
    systemPrompt: systemPromptFor(coder ? 'coder' : 'chat'),
    loadBlob: loadBlobForTurn(db),
    vision: modelSupportsVision(resolved.entry, model),
    structuredOutput: structuredOutputOf(resolved.entry, model),
  };
}
