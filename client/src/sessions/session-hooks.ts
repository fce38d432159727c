// Hooks for the session index (space doc) and one session's doc. The session list and the session
// view read through these; later features (chat, traces) build on useSessionDoc.
import { sessionDocName } from '@boocode/shared/doc/names';
import { getSessionMeta, listMessages, observeSession } from '@boocode/shared/doc/session';
import type { Message, SessionMeta } from '@boocode/shared/doc/session-schema';
import {
  countChildSessions,
  getSessionEntry,
  type ListSessionsOptions,
  listSessions,
  observeSessions,
  type SessionIndexEntry,
} from '@boocode/shared/doc/space';
import { useMemo, useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import { useServices } from '../docs/doc-context.tsx';
import { type OpenDocState, useDoc, useDocVersion } from '../docs/doc-hooks.ts';
import type { SyncStatus } from '../sync/sync-status.ts';

/** Sessions in the space doc, newest activity first, filtered as asked. */
export function useSessions(opts: ListSessionsOptions = {}): SessionIndexEntry[] {
  const { space } = useServices();
  const version = useDocVersion(space, observeSessions);
  const { includeArchived, includeDeleted, topLevelOnly, search } = opts;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(
    () => listSessions(space, { includeArchived, includeDeleted, topLevelOnly, search }),
    [space, version, includeArchived, includeDeleted, topLevelOnly, search],
  );
}

/** Live count of the sessions each session's agents started (workflow agents, subagents). */
export function useChildSessionCounts(): Map<string, number> {
  const { space } = useServices();
  const version = useDocVersion(space, observeSessions);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(() => countChildSessions(space), [space, version]);
}

/** One session's index entry (title, status, archived/deleted), live. */
export function useSessionEntry(id: string): SessionIndexEntry | undefined {
  const { space } = useServices();
  const version = useDocVersion(space, observeSessions);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(() => getSessionEntry(space, id), [space, id, version]);
}

/** Opens `session:<id>` while mounted. */
export function useSessionDoc(id: string): OpenDocState {
  return useDoc(sessionDocName(id));
}

export interface SessionView {
  doc: Y.Doc | undefined;
  loaded: boolean;
  meta: SessionMeta | undefined;
  messages: Message[];
}

/** A session's meta and messages, re-read on every change to its doc. */
export function useSession(id: string): SessionView {
  const { doc, loaded } = useSessionDoc(id);
  const version = useDocVersion(doc, observeSession);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(() => {
    if (!doc) return { doc, loaded, meta: undefined, messages: [] };
    return { doc, loaded, meta: getSessionMeta(doc), messages: listMessages(doc) };
  }, [doc, loaded, version]);
}

/** Sync status of one doc (or, without a name, of the whole app). */
export function useSyncStatus(docName?: string): SyncStatus {
  const { store } = useServices();
  useSyncExternalStore(store.status.subscribe, store.status.getVersion);
  return docName ? (store.status.get(docName) ?? 'local') : store.status.global();
}
