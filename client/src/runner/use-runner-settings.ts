// Hooks for Settings: a settings client for this device's pairing, and the runner's approval rules loaded
// from it. Every change re-reads the list first, so a rule added meanwhile ("Always allow" in a chat) survives.
import type { ApprovalRule } from '@boocode/shared/runner/approval-policy';
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useRunnerPairing } from '../chat/chat-hooks.ts';
import {
  createRunnerSettingsClient,
  type RunnerSettingsClient,
  runnerSettingsErrorText,
} from './runner-settings-client.ts';

/** undefined while the pairing loads, null when this device is not paired. */
export function useRunnerSettingsClient(): RunnerSettingsClient | null | undefined {
  const pairing = useRunnerPairing();
  const loading = pairing === undefined;
  // The pairing object is new on every storage read; only its fields decide the client.
  const url = pairing?.runnerUrl;
  const token = pairing?.token;
  return useMemo(() => {
    if (loading) return undefined;
    if (!url || !token) return null;
    return createRunnerSettingsClient({ runnerUrl: url, token } satisfies RunnerPairing);
  }, [loading, url, token]);
}

export interface RunnerRules {
  /** undefined until the first answer (or when it failed). */
  rules: ApprovalRule[] | undefined;
  /** Why the rules could not be read, in words. */
  loadError: string | undefined;
  /** Applies `edit` to the runner's current list and saves it; throws a RunnerSettingsError on failure. */
  change(edit: (current: ApprovalRule[]) => ApprovalRule[]): Promise<ApprovalRule[]>;
}

export function useRunnerRules(client: RunnerSettingsClient | null | undefined): RunnerRules {
  const [rules, setRules] = useState<ApprovalRule[]>();
  const [loadError, setLoadError] = useState<string>();

  useEffect(() => {
    setRules(undefined);
    setLoadError(undefined);
    if (!client) return;
    const abort = new AbortController();
    client.getRules(abort.signal).then(setRules, (e: unknown) => {
      if (!abort.signal.aborted) setLoadError(runnerSettingsErrorText(e));
    });
    return () => abort.abort();
  }, [client]);

  const change = useCallback(
    async (edit: (current: ApprovalRule[]) => ApprovalRule[]) => {
      if (!client) throw new Error('Pair the runner first.');
      const saved = await client.putRules(edit(await client.getRules()));
      setRules(saved);
      setLoadError(undefined);
      return saved;
    },
    [client],
  );
  return { rules, loadError, change };
}
