// Writes to the session index and session docs, each in one transaction. Delete and archive keep a
// tombstone (deletedAt/archivedAt) so undo is just clearing it, and other devices learn of it.

import { sessionDocName } from '@boocode/shared/doc/names';
import { initSessionMeta, setSessionMeta } from '@boocode/shared/doc/session';
import { putSessionEntry, type SessionKind, updateSessionEntry } from '@boocode/shared/doc/space';
import { newId } from '@boocode/shared/ids';
import type * as Y from 'yjs';
import type { DocStore } from '../docs/doc-store.ts';

export async function createSession(
  store: DocStore,
  space: Y.Doc,
  title = 'Untitled session',
  kind: SessionKind = 'chat',
): Promise<string> {
  const now = Date.now();
  const id = newId('ses', now);
  const handle = store.openDoc(sessionDocName(id));
  try {
    await handle.whenLoaded;
    initSessionMeta(handle.doc, { id, title, kind, createdAt: now });
  } finally {
    handle.release();
  }
  space.transact(() => putSessionEntry(space, { id, title, kind, status: 'idle', createdAt: now, updatedAt: now }));
  return id;
}

export async function renameSession(store: DocStore, space: Y.Doc, id: string, title: string): Promise<void> {
  const clean = title.trim();
  if (!clean) return;
  space.transact(() => updateSessionEntry(space, id, { title: clean }));
  const handle = store.openDoc(sessionDocName(id));
  try {
    await handle.whenLoaded;
    setSessionMeta(handle.doc, { title: clean });
  } finally {
    handle.release();
  }
}

export function archiveSession(space: Y.Doc, id: string, archived: boolean): void {
  space.transact(() => updateSessionEntry(space, id, { archivedAt: archived ? Date.now() : undefined }));
}

export function deleteSession(space: Y.Doc, id: string, deleted: boolean): void {
  space.transact(() => updateSessionEntry(space, id, { deletedAt: deleted ? Date.now() : undefined }));
}
