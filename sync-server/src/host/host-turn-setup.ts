// What a turn needs on the agent host, from the session's own meta (the host has no device settings): the
// model the tab recorded, reached through the host's runner (which holds the keys) or directly for a keyless
// server; the runner's tools for coder sessions, pinned to the session's worktree; the same system prompts
// as a tab; attachments fetched from the sync server's blob store.

import type { ToolExecutor } from '@boocode/shared/agent/engine-deps';
import { spanLiveOutput } from '@boocode/shared/agent/live-output';
import { systemPromptFor } from '@boocode/shared/agent/system-prompts';
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import { createChatCompletionsClient } from '@boocode/shared/model/chat-completions-client';
import type { ModelClient } from '@boocode/shared/model/model-client';
import {
  findPreset,
  modelSupportsVision,
  type ProviderId,
  type StructuredOutputMode,
  structuredOutputOf,
} from '@boocode/shared/model/providers';
import { PROVIDER_HEADER } from '@boocode/shared/runner/provider-config';
import { createRunnerClient } from '@boocode/shared/runner/runner-http-client';
import { createRunnerToolExecutor } from '@boocode/shared/runner/runner-tool-executor';
import type * as Y from 'yjs';

/** The host's own runner, reached on loopback with its token (the same client the browser uses). */
export interface HostRunnerAccess {
  url: string;
  token: string;
}

export interface HostTurnSetup {
  model: string;
  provider: ProviderId;
  client: ModelClient;
  tools?: ToolExecutor;
  systemPrompt: string;
  vision?: boolean;
  structuredOutput: StructuredOutputMode;
}

/** The turn's setup, or an Error in words when this host cannot run it. */
export function hostTurnSetup(meta: SessionMeta, doc: Y.Doc, runner: HostRunnerAccess): HostTurnSetup | Error {
  if (!meta.model || !meta.provider)
    return new Error('The session names no model; a tab records its choice when it hands a turn over.');
  const provider = meta.provider as ProviderId;
  const client = meta.modelBaseUrl
    ? createChatCompletionsClient({ baseUrl: meta.modelBaseUrl })
    : createChatCompletionsClient({
        baseUrl: `${runner.url.replace(/\/+$/, '')}/v1`,
        apiKey: runner.token,
        headers: { [PROVIDER_HEADER]: provider },
      });
  const tools =
    meta.kind === 'coder'
      ? createRunnerToolExecutor(
          createRunnerClient({ runnerUrl: runner.url, token: runner.token }),
          spanLiveOutput(doc),
          meta.worktree ? { worktree: meta.worktree } : {},
        )
      : undefined;
  const vision = modelSupportsVision(provider, meta.model);
  return {
    model: meta.model,
    provider,
    client,
    ...(tools ? { tools } : {}),
    systemPrompt: systemPromptFor(meta.kind),
    ...(vision === undefined ? {} : { vision }),
    structuredOutput: structuredOutputOf(findPreset(provider), meta.model),
  };
}
