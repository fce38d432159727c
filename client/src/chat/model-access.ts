// Builds the model client a turn uses from this device's settings. The scripted model (and a custom
// URL) is called directly; real providers go through the runner's model proxy (`<runner>/v1`, runner
// token as Bearer, provider in X-BooCode-Provider), so API keys never enter the page.
import { createChatCompletionsClient, listModels } from '@boocode/shared/model/chat-completions-client';
import type { ModelClient } from '@boocode/shared/model/model-client';
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import { PROVIDER_HEADER } from '@boocode/shared/runner/provider-config';
import { isDirectProvider, type ModelSettings } from './model-settings.ts';

export interface ModelEndpoint {
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

/** Where calls for these settings go; an Error in words when they cannot go anywhere yet. */
export function modelEndpoint(settings: ModelSettings, pairing: RunnerPairing | undefined): ModelEndpoint | Error {
  if (isDirectProvider(settings.provider)) {
    if (!settings.baseUrl) return new Error('No model base URL is set. Choose one in Settings → Model.');
    return { baseUrl: settings.baseUrl };
  }
  if (!pairing)
    return new Error(
      'This device is not paired with the local runner, which holds the API keys and calls the provider. Pair it in Settings → Runner.',
    );
  return {
    baseUrl: `${pairing.runnerUrl.replace(/\/+$/, '')}/v1`,
    apiKey: pairing.token,
    headers: { [PROVIDER_HEADER]: settings.provider },
  };
}

export function createModelClient(endpoint: ModelEndpoint): ModelClient {
  return createChatCompletionsClient(endpoint);
}

export async function fetchModelList(endpoint: ModelEndpoint, signal: AbortSignal): Promise<string[]> {
  return listModels({ ...endpoint, signal });
}
