// Where a turn's model calls go, from this device's settings and the registry: a keyless local server is
// called directly at its loopback URL when this device chose so; everything else goes through the runner's
// model proxy (`<runner>/v1`, runner token as Bearer, provider in X-BooCode-Provider), so API keys never
// enter the page. Answers the entry too (label, abilities), or an Error in words when calls cannot go anywhere.
import { createChatCompletionsClient, listModels } from '@boocode/shared/model/chat-completions-client';
import type { ModelClient } from '@boocode/shared/model/model-client';
import { checkBaseUrl } from '@boocode/shared/model/provider-url';
import { findPreset, type ProviderAccess, type ProviderEntry, providerName } from '@boocode/shared/model/providers';
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import { PROVIDER_HEADER, type ProviderStatus } from '@boocode/shared/runner/provider-config';
import type { LocalRoute, ModelSettings } from './model-settings.ts';

export interface ModelEndpoint {
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Names the provider in errors ("DeepSeek rejected the API key"). */
  providerLabel?: string;
}

/** The registry entry (or the runner's entry of the user's own) a provider id names. */
export function entryOf(id: string, runnerProviders: readonly ProviderStatus[]): ProviderEntry | undefined {
  const preset = findPreset(id);
  const onRunner = runnerProviders.find((p) => p.id === id);
  if (preset) return onRunner && preset.editableBaseUrl ? { ...preset, baseUrl: onRunner.baseUrl } : preset;
  if (!onRunner) return undefined;
  return {
    id: onRunner.id,
    label: onRunner.label,
    baseUrl: onRunner.baseUrl,
    access: 'runner',
    needsKey: onRunner.needsKey,
    editableBaseUrl: true,
    listsModels: true,
    models: {},
    structuredOutput: onRunner.structuredOutput,
    ...(onRunner.vision === undefined ? {} : { vision: onRunner.vision }),
    ...(onRunner.defaultModel ? { defaultModel: onRunner.defaultModel } : {}),
    origin: 'custom',
  };
}

/** This device's way to an entry: its saved route, else the registry's default (local presets: direct). */
export function routeOf(entry: ProviderEntry, settings: Pick<ModelSettings, 'local'>): LocalRoute {
  if (!entry.editableBaseUrl || entry.origin === 'custom') return { access: 'runner', baseUrl: entry.baseUrl };
  return settings.local[entry.id] ?? { access: entry.access, baseUrl: entry.baseUrl };
}

export type ResolvedModel = { entry: ProviderEntry; access: ProviderAccess; endpoint: ModelEndpoint };

/** Where calls for these settings go; an Error in words when they cannot go anywhere yet. */
export function resolveModel(settings: ModelSettings, pairing: RunnerPairing | undefined): ResolvedModel | Error {
  const entry = entryOf(settings.provider, settings.runnerProviders);
  if (!entry)
    return new Error(
      `The provider “${settings.provider}” is not known here: pick another in Settings → Model (the runner may have removed it).`,
    );
  const route = routeOf(entry, settings);
  if (route.access === 'direct') {
    const url = checkBaseUrl(route.baseUrl, { access: 'direct', needsKey: false });
    if (!url.ok) return new Error(`${entry.label}: ${url.message}`);
    return { entry, access: 'direct', endpoint: { baseUrl: url.url, providerLabel: providerName(entry) } };
  }
  if (!pairing)
    return new Error(
      `This device is not paired with the local runner, which holds the API keys and calls ${entry.label}. Pair it in Settings → Runner.`,
    );
  return {
    entry,
    access: 'runner',
    endpoint: {
      baseUrl: `${pairing.runnerUrl.replace(/\/+$/, '')}/v1`,
      apiKey: pairing.token,
      headers: { [PROVIDER_HEADER]: entry.id },
      providerLabel: providerName(entry),
    },
  };
}

export function createModelClient(endpoint: ModelEndpoint): ModelClient {
  return createChatCompletionsClient(endpoint);
}

export async function fetchModelList(endpoint: ModelEndpoint, signal: AbortSignal): Promise<string[]> {
  return listModels({ ...endpoint, signal });
}
