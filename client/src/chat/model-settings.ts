// This device's model choice (provider preset, base URL, model id), kept in the local-only Dexie
// settings table. No API key is ever stored here: real providers are reached through the runner's
// model proxy, which holds the keys.
import { DEFAULT_PROVIDER, PROVIDER_PRESETS, type ProviderId, providerPreset } from '@boocode/shared/model/providers';
import { liveQuery } from 'dexie';
import type { LocalDb } from '../docs/local-db.ts';

export interface ModelSettings {
  provider: ProviderId;
  /** Only used for providers reached directly (the scripted model, a custom URL); others go through the runner. */
  baseUrl: string;
  model: string;
}

const KEYS = ['model.provider', 'model.baseUrl', 'model.model'] as const;

function isProviderId(v: unknown): v is ProviderId {
  return PROVIDER_PRESETS.some((p) => p.id === v);
}

export async function readModelSettings(db: LocalDb): Promise<ModelSettings> {
  const rows = await db.settings.bulkGet([...KEYS]);
  const str = (i: number) => (typeof rows[i]?.value === 'string' ? (rows[i]?.value as string) : undefined);
  const provider = isProviderId(rows[0]?.value) ? rows[0].value : DEFAULT_PROVIDER;
  const preset = providerPreset(provider);
  return {
    provider,
    baseUrl: str(1) || preset.baseUrl,
    model: str(2) || preset.defaultModel || '',
  };
}

export async function writeModelSettings(db: LocalDb, patch: Partial<ModelSettings>): Promise<void> {
  const rows: { key: string; value: unknown }[] = [];
  if (patch.provider !== undefined) rows.push({ key: KEYS[0], value: patch.provider });
  if (patch.baseUrl !== undefined) rows.push({ key: KEYS[1], value: patch.baseUrl.trim() });
  if (patch.model !== undefined) rows.push({ key: KEYS[2], value: patch.model.trim() });
  await db.settings.bulkPut(rows);
}

export function observeModelSettings(db: LocalDb, onChange: (s: ModelSettings) => void): () => void {
  const sub = liveQuery(() => readModelSettings(db)).subscribe({ next: onChange, error: () => {} });
  return () => sub.unsubscribe();
}

/** Scripted and custom providers are called at their URL; every other provider goes through the runner. */
export function isDirectProvider(provider: ProviderId): boolean {
  return provider === 'scripted' || provider === 'custom';
}
