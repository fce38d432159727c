// One SessionDriver per session per tab, shared by every view of it and kept alive while it drives a
// turn: leaving the session view (to the list, to settings) does not stop the agent. The driver holds
// its own handle on the session doc, so the doc stays open until the turn ends and no view is left.
import { sessionSummaryOf } from '@boocode/shared/agent/session-summary';
import { sessionDocName } from '@boocode/shared/doc/names';
import { updateSessionEntry } from '@boocode/shared/doc/space';
import type { AppServices } from '../docs/doc-context.tsx';
import type { DocHandle } from '../docs/doc-store.ts';
import { prepareTurn, recordTurnModel } from './prepare-turn.ts';
import { SessionDriver } from './session-driver.ts';

interface Entry {
  driver: SessionDriver;
  handle: DocHandle;
  views: number;
  waitForIdle?: () => void;
}

const entries = new Map<string, Entry>();

export function attachDriver(services: AppServices, sessionId: string): { driver: SessionDriver; detach(): void } {
  let entry = entries.get(sessionId);
  if (!entry) {
    const { db, space, store } = services;
    const handle = store.openDoc(sessionDocName(sessionId));
    const doc = handle.doc;
    const driver = new SessionDriver({
      doc,
      sessionId,
      store,
      setup: (resume) => prepareTurn(db, doc, resume),
      recordModel: () => recordTurnModel(db, doc),
      // The list's preview, model, tokens and cost go with the status, read from the same doc.
      onStatus: (status) =>
        space.transact(() =>
          updateSessionEntry(space, sessionId, { status, updatedAt: Date.now(), ...sessionSummaryOf(doc) }),
        ),
    });
    entry = { driver, handle, views: 0 };
    entries.set(sessionId, entry);
    driver.start();
  }
  const attached = entry;
  attached.views++;
  let detached = false;
  return {
    driver: attached.driver,
    detach: () => {
      if (detached) return;
      detached = true;
      attached.views--;
      closeWhenUnused(sessionId, attached);
    },
  };
}

function closeWhenUnused(sessionId: string, entry: Entry): void {
  if (entry.views > 0 || entries.get(sessionId) !== entry) return;
  if (entry.driver.getState().driving) {
    // The turn runs on without a view; close once it ends, unless a view has come back by then.
    entry.waitForIdle ??= entry.driver.subscribe(() => {
      if (entry.driver.getState().driving) return;
      entry.waitForIdle?.();
      entry.waitForIdle = undefined;
      closeWhenUnused(sessionId, entry);
    });
    return;
  }
  entry.waitForIdle?.();
  entries.delete(sessionId);
  entry.driver.dispose();
  entry.handle.release();
}
