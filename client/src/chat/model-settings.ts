// This device's model choice, kept in the local-only Dexie settings table: which provider (a registry preset
// or one of the user's entries on the runner), which model, and for each local server this device's way to
// it (directly at a loopback URL, or through the runner). No API key is ever stored here: the runner holds
// them. The runner's own provider list is cached here too, so a turn knows a custom entry's label and
// abilities without asking the runner first.
import { providerAccessSchema } from '@boocode/shared/model/provider-kinds';
import { DEFAULT_PROVIDER, findPreset, type ProviderAccess } from '@boocode/shared/model/providers';
import { type ProviderStatus, providerStatusSchema } from '@boocode/shared/runner/provider-config';
import { liveQuery } from 'dexie';
import { z } from 'zod';
import type { LocalDb } from '../docs/local-db.ts';

/** How this device reaches one local server (a preset whose base URL may be edited). */
export interface LocalRoute {
  access: ProviderAccess;
  /** Only for `direct`: the URL this page calls (a loopback address). */
  baseUrl: string;
}

export interface ModelSettings {
  provider: string;
  model: string;
  /** This device's way to each local preset it has set up; a preset not here uses the registry's default. */
  local: Record<string, LocalRoute>;
  /** The runner's provider list as last read (presets and the user's own entries), for labels and abilities. */
  runnerProviders: ProviderStatus[];
}

export const DEFAULT_PROVIDER_ID: string = DEFAULT_PROVIDER;

const KEYS = ['model.provider', 'model.model', 'model.local', 'model.runnerProviders', 'model.baseUrl'] as const;
const localSchema = z.record(z.string(), z.object({ access: providerAccessSchema, baseUrl: z.string() }));
const runnerProvidersSchema = z.array(providerStatusSchema);

export async function readModelSettings(db: LocalDb): Promise<ModelSettings> {
  const rows = await db.settings.bulkGet([...KEYS]);
  const value = (i: number) => rows[i]?.value;
  const str = (i: number) => (typeof value(i) === 'string' ? (value(i) as string) : undefined);
  const runnerProviders = runnerProvidersSchema.safeParse(value(3)).data ?? [];
  const stored = str(0);
  const known = stored && (findPreset(stored) || runnerProviders.some((p) => p.id === stored));
  const provider = known ? stored : DEFAULT_PROVIDER;
  const local = localSchema.safeParse(value(2)).data ?? {};
  // Before per-server routes, one base URL served the directly-called provider (the scripted model).
  const legacyUrl = str(4);
  const preset = findPreset(provider);
  if (legacyUrl && preset?.editableBaseUrl && !local[provider])
    local[provider] = { access: 'direct', baseUrl: legacyUrl };
  return { provider, model: str(1) || preset?.defaultModel || '', local, runnerProviders };
}

export interface ModelSettingsPatch {
  provider?: string;
  model?: string;
  /** This device's route to one local preset. */
  route?: { provider: string } & LocalRoute;
  runnerProviders?: ProviderStatus[];
}

export async function writeModelSettings(db: LocalDb, patch: ModelSettingsPatch): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const rows: { key: string; value: unknown }[] = [];
    if (patch.provider !== undefined) rows.push({ key: KEYS[0], value: patch.provider });
    if (patch.model !== undefined) rows.push({ key: KEYS[1], value: patch.model.trim() });
    if (patch.route) {
      const current = localSchema.safeParse((await db.settings.get(KEYS[2]))?.value).data ?? {};
      const { provider, ...route } = patch.route;
      rows.push({ key: KEYS[2], value: { ...current, [provider]: { ...route, baseUrl: route.baseUrl.trim() } } });
    }
    if (patch.runnerProviders) rows.push({ key: KEYS[3], value: patch.runnerProviders });
    await db.settings.bulkPut(rows);
  });
}

export function observeModelSettings(db: LocalDb, onChange: (s: ModelSettings) => void): () => void {
  const sub = liveQuery(() => readModelSettings(db)).subscribe({ next: onChange, error: () => {} });
  return () => sub.unsubscribe();
}
