// The runner's providers: the registry's presets (or the operator's list) plus the user's own entries, and
// the keys, each in a 0600 file of the data dir. Invariant: a stored key is only ever sent to the server it
// was saved for — moving an entry to another origin drops its key, so a page (or a script in it) cannot
// re-point a key at a server of its choosing.
import { join } from 'node:path';
import { checkBaseUrl } from '@boocode/shared/model/provider-url';
import type { ProviderEntry } from '@boocode/shared/model/providers';
import {
  entryOfConfig,
  type ProviderConfig,
  type ProviderEdit,
  type ProviderStatus,
  providerKeyEnvNames,
  runnerPresets,
} from '@boocode/shared/runner/provider-config';
import { z } from 'zod';
import { RunnerError } from './runner-error.ts';
import { readJsonFile, writePrivateFile } from './secret-files.ts';

const MAX_CUSTOM = 50;

const customSchema = z.object({
  label: z.string(),
  baseUrl: z.string(),
  needsKey: z.boolean(),
  structuredOutput: z.enum(['json_schema', 'tool', 'words']),
  vision: z.boolean().optional(),
  defaultModel: z.string().optional(),
});
const storedEntriesSchema = z.object({
  custom: z.record(z.string(), customSchema).default({}),
  /** Base URLs the user moved editable presets to. */
  baseUrls: z.record(z.string(), z.string()).default({}),
});
const storedKeysSchema = z.record(z.string(), z.string());

export interface ProviderStoreOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Replaces the registry's presets (operators, tests). */
  providers?: ProviderConfig[];
  defaultProvider?: string;
}

export type ProviderStore = Awaited<ReturnType<typeof openProviderStore>>;

export async function openProviderStore(opts: ProviderStoreOptions) {
  const keysPath = join(opts.dataDir, 'provider-keys.json');
  const entriesPath = join(opts.dataDir, 'providers.json');
  const keys = storedKeysSchema.parse((await readJsonFile(keysPath)) ?? {});
  const stored = storedEntriesSchema.parse((await readJsonFile(entriesPath)) ?? {});
  const presets: ProviderEntry[] = opts.providers?.map(entryOfConfig) ?? runnerPresets();

  const saveKeys = () => writePrivateFile(keysPath, `${JSON.stringify(keys, null, 2)}\n`);
  const saveEntries = () => writePrivateFile(entriesPath, `${JSON.stringify(stored, null, 2)}\n`);

  const list = (): ProviderEntry[] => [
    ...presets.map((p) => ({ ...p, baseUrl: (p.editableBaseUrl && stored.baseUrls[p.id]) || p.baseUrl })),
    ...Object.entries(stored.custom).map(([id, c]) => ({
      id,
      label: c.label,
      baseUrl: c.baseUrl,
      access: 'runner' as const,
      needsKey: c.needsKey,
      editableBaseUrl: true,
      listsModels: true,
      models: {},
      structuredOutput: c.structuredOutput,
      ...(c.vision === undefined ? {} : { vision: c.vision }),
      ...(c.defaultModel ? { defaultModel: c.defaultModel } : {}),
      origin: 'custom' as const,
    })),
  ];
  const find = (id: string) => list().find((p) => p.id === id);
  const envKey = (p: ProviderEntry) => (p.apiKeyEnv ? opts.env[p.apiKeyEnv] || undefined : undefined);
  const keyFor = (p: ProviderEntry) => keys[p.id] ?? envKey(p);
  const defaultId = () => opts.defaultProvider ?? list().find((p) => keyFor(p))?.id ?? list()[0]?.id;

  const status = (p: ProviderEntry): ProviderStatus => ({
    id: p.id,
    label: p.label,
    baseUrl: p.baseUrl,
    hasKey: Boolean(keyFor(p)),
    ...(keys[p.id] === undefined && envKey(p) ? { keyFromEnv: true } : {}),
    needsKey: p.needsKey,
    default: p.id === defaultId(),
    origin: p.origin,
    editableBaseUrl: p.editableBaseUrl,
    structuredOutput: p.structuredOutput,
    ...(typeof p.vision === 'boolean' ? { vision: p.vision } : {}),
    ...(p.defaultModel ? { defaultModel: p.defaultModel } : {}),
  });

  /** The entry a request names, or the runner's refusal in words. */
  const known = (id: string): ProviderEntry => {
    const p = find(id);
    if (!p)
      throw new RunnerError('UNKNOWN_PROVIDER', `The runner has no provider “${id}”: add it in Settings → Model.`, 404);
    return p;
  };

  return {
    list,
    status,
    known,
    keyFor,
    defaultId,

    /** Adds or edits a custom entry, or moves an editable preset; drops the key when the server changes. */
    async edit(id: string, edit: ProviderEdit): Promise<{ provider: ProviderStatus; keyDropped: boolean }> {
      const preset = presets.find((p) => p.id === id);
      const before = find(id);
      if (preset) checkPresetEdit(preset, edit);
      const needsKey = preset ? preset.needsKey : (edit.needsKey ?? before?.needsKey ?? true);
      const url = checkBaseUrl(edit.baseUrl, { access: 'runner', needsKey });
      if (!url.ok) throw new RunnerError('INVALID_BASE_URL', url.message, 400);
      if (!preset) {
        if (!before && Object.keys(stored.custom).length >= MAX_CUSTOM)
          throw new RunnerError(
            'INVALID_REQUEST',
            `The runner keeps at most ${MAX_CUSTOM} providers of your own.`,
            400,
          );
        const label = edit.label ?? before?.label;
        const vision = edit.vision ?? (typeof before?.vision === 'boolean' ? before.vision : undefined);
        const defaultModel = edit.defaultModel ?? before?.defaultModel;
        if (!label) throw new RunnerError('INVALID_REQUEST', 'A new provider needs a name (label).', 400);
        stored.custom[id] = {
          label,
          baseUrl: url.url,
          needsKey,
          structuredOutput: edit.structuredOutput ?? before?.structuredOutput ?? 'words',
          ...(vision === undefined ? {} : { vision }),
          ...(defaultModel ? { defaultModel } : {}),
        };
      } else if (url.url === preset.baseUrl) delete stored.baseUrls[id];
      else stored.baseUrls[id] = url.url;
      const keyDropped =
        before !== undefined && keys[id] !== undefined && originOf(before.baseUrl) !== originOf(url.url);
      if (keyDropped) {
        delete keys[id];
        await saveKeys();
      }
      await saveEntries();
      return { provider: status(known(id)), keyDropped };
    },

    /** Removes a custom entry and its key; a preset's URL goes back to the registry's. */
    async remove(id: string): Promise<boolean> {
      if (stored.custom[id]) {
        delete stored.custom[id];
        const hadKey = Object.hasOwn(keys, id);
        delete keys[id];
        await saveEntries();
        if (hadKey) await saveKeys();
        return true;
      }
      known(id);
      if (stored.baseUrls[id] === undefined) return false;
      delete stored.baseUrls[id];
      await saveEntries();
      return true;
    },

    async putKey(id: string, key: string): Promise<void> {
      known(id);
      keys[id] = key;
      await saveKeys();
    },

    async deleteKey(id: string): Promise<{ removed: boolean; hasKey: boolean }> {
      const p = known(id);
      const removed = Object.hasOwn(keys, id);
      if (removed) {
        delete keys[id];
        await saveKeys();
      }
      return { removed, hasKey: Boolean(keyFor(p)) };
    },

    /** Names of the env variables that hold keys, so commands never inherit them. */
    secretEnvNames: () => [
      ...new Set([...providerKeyEnvNames(), ...presets.flatMap((p) => (p.apiKeyEnv ? [p.apiKeyEnv] : []))]),
    ],
  };
}

function checkPresetEdit(preset: ProviderEntry, edit: ProviderEdit): void {
  if (!preset.editableBaseUrl)
    throw new RunnerError(
      'INVALID_REQUEST',
      `${preset.label}’s address is fixed. To use another server, add a provider of your own.`,
      400,
    );
  const extra = (['label', 'needsKey', 'structuredOutput', 'vision', 'defaultModel'] as const).filter(
    (k) => edit[k] !== undefined,
  );
  if (extra.length)
    throw new RunnerError(
      'INVALID_REQUEST',
      `Only the base URL of ${preset.label} can be changed (not ${extra.join(', ')}); add a provider of your own for more.`,
      400,
    );
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
