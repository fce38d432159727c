// The runner's providers for Settings and the picker: read from the runner (never a key, only whether one is
// set), kept in this device's model settings as a cache so a turn knows a custom entry without asking, and
// re-read after every change. Offline or unpaired, the cache is what there is.
import { useCallback, useEffect, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { type ProviderStatus, runnerSettingsErrorText } from '../runner/runner-settings-client.ts';
import { useRunnerSettingsClient } from '../runner/use-runner-settings.ts';
import { writeModelSettings } from './model-settings.ts';

export interface RunnerProviders {
  /** undefined until the first answer; [] when unpaired. */
  list: ProviderStatus[] | undefined;
  /** Why the runner could not be asked, in words. */
  problem: string | undefined;
  reload(): Promise<void>;
}

export function useRunnerProviders(): RunnerProviders {
  const { db } = useServices();
  const client = useRunnerSettingsClient();
  const [list, setList] = useState<ProviderStatus[]>();
  const [problem, setProblem] = useState<string>();

  const reload = useCallback(async () => {
    if (!client) return;
    try {
      const providers = await client.listProviders();
      setList(providers);
      setProblem(undefined);
      await writeModelSettings(db, { runnerProviders: providers });
    } catch (e) {
      setProblem(runnerSettingsErrorText(e));
    }
  }, [client, db]);

  useEffect(() => {
    if (client === null) setList([]);
    if (client) void reload();
  }, [client, reload]);

  return { list, problem, reload };
}
