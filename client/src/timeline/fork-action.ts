// Forking from the UI ("Fork from here" on the timeline, Edit on the last prompt): opens a doc for the new
// session, waits until the device's stored state is loaded (y-dexie persists only after that), and runs the
// pure fork over it.
import { sessionDocName } from '@boocode/shared/doc/names';
import { newId } from '@boocode/shared/ids';
import type * as Y from 'yjs';
import type { DocStore } from '../docs/doc-store.ts';
import { type ForkPoint, type ForkReason, type ForkResult, forkSession } from './fork-session.ts';

export async function forkSessionAt(
  store: DocStore,
  space: Y.Doc,
  source: Y.Doc,
  at: ForkPoint,
  reason: ForkReason = 'timeline',
): Promise<ForkResult> {
  const now = Date.now();
  const id = newId('ses', now);
  const handle = store.openDoc(sessionDocName(id));
  try {
    await handle.whenLoaded;
    let n = 0;
    return forkSession({
      source,
      target: handle.doc,
      space,
      at,
      reason,
      newSessionId: id,
      now,
      newMessageId: () => newId('msg', now + n++),
    });
  } finally {
    handle.release();
  }
}
