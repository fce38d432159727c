// The page's side of a workflow run's agents: the shared session agents (workflows/src/agents/session-agents.ts)
// over this tab's doc store, each agent's child session driven by this tab's engine (its lease, this device's
// model settings and runner tools), tracked so a page unload lets go of it without writing.
import { sessionDocName } from '@boocode/shared/doc/names';
import { createSessionAgents, type SessionAgentDeps } from '@boocode/workflows/agents/session-agents';
import type * as Y from 'yjs';
import { prepareTurn } from '../chat/prepare-turn.ts';
import { createSessionEngine, trackEngine } from '../chat/session-driver.ts';
import type { DocStore } from '../docs/doc-store.ts';
import type { LocalDb } from '../docs/local-db.ts';

export interface BrowserAgentDeps extends Omit<SessionAgentDeps, 'openSession' | 'engineFor'> {
  db: LocalDb;
  store: DocStore;
}

/** How long a resumed agent waits for its session's copy from the server before it goes on with the local one. */
const SYNC_WAIT_MS = 15_000;

export function createBrowserAgentHost(deps: BrowserAgentDeps) {
  return createSessionAgents({
    ...deps,
    openSession: (id) => {
      const name = sessionDocName(id);
      const handle = deps.store.openDoc(name);
      return {
        doc: handle.doc,
        whenLoaded: handle.whenLoaded,
        get whenSynced() {
          return handle.whenLoaded.then(() => deps.store.whenStored(name, SYNC_WAIT_MS));
        },
        release: () => handle.release(),
      };
    },
    engineFor: async (childId: string, doc: Y.Doc) => {
      const setup = await prepareTurn(deps.db, doc, true);
      const engine = createSessionEngine(doc, setup, deps.store, sessionDocName(childId));
      return { engine, untrack: trackEngine(engine) };
    },
  });
}
