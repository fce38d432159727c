// React access to the doc store. Components get data through these hooks (which read the typed
// accessors in shared/doc) and never hold a doc's content only in React state.
import { createContext, type ReactNode, useContext } from 'react';
import type * as Y from 'yjs';
import type { DocStore } from './doc-store.ts';
import type { LocalDb } from './local-db.ts';

export interface AppServices {
  db: LocalDb;
  store: DocStore;
  /** The `space` doc stays open for the life of the tab: the session list and synced settings. */
  space: Y.Doc;
}

const ServicesContext = createContext<AppServices | null>(null);

export function ServicesProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesProvider>');
  return services;
}
