// This device's sync server API, following Settings as they change (in any tab).
import { useEffect, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { observeLocalSettings } from '../settings/local-settings.ts';
import { type ServerApi, serverApiOf } from '../sync/server-api.ts';

export type ServerApiState = { state: 'loading' } | { state: 'local-only' } | { state: 'ready'; api: ServerApi };

export function useServerApi(): ServerApiState {
  const { db } = useServices();
  const [state, setState] = useState<ServerApiState>({ state: 'loading' });
  useEffect(
    () =>
      observeLocalSettings(db, (s) => {
        const api = serverApiOf(s);
        setState((prev) => {
          if (!api) return prev.state === 'local-only' ? prev : { state: 'local-only' };
          if (prev.state === 'ready' && prev.api.origin === api.origin && prev.api.token === api.token) return prev;
          return { state: 'ready', api };
        });
      }),
    [db],
  );
  return state;
}
