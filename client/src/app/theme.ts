// Colour scheme: follows the system unless the user picked one; the choice is a synced setting.
import { getSetting, observeSettings, type SyncedSettings } from '@boocode/shared/doc/space';
import { useEffect, useMemo } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { useDocVersion } from '../docs/doc-hooks.ts';

export type ThemeChoice = NonNullable<SyncedSettings['theme']>;

export function useThemeChoice(): ThemeChoice {
  const { space } = useServices();
  const version = useDocVersion(space, observeSettings);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(() => getSetting(space, 'theme') ?? 'system', [space, version]);
}

/** Puts the choice on <html data-theme>, which the stylesheet reads. */
export function useApplyTheme(): void {
  const theme = useThemeChoice();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
}
