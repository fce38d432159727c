// Hooks the observability panes read spans, snapshots and the clock through.

import type { Snapshot, Span } from '@boocode/shared/doc/session-schema';
import { listSnapshots, listSpans, observeSpans } from '@boocode/shared/doc/spans';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import { useServices } from '../docs/doc-context.tsx';
import { useDocVersion } from '../docs/doc-hooks.ts';
import { reportStorageFailure } from '../docs/storage-failure-events.ts';
import type { ChildTrace } from './child-rows.ts';
import { ChildTraceSources } from './child-traces.ts';

const observeSpanChanges = (doc: Y.Doc, onChange: () => void) => observeSpans(doc, () => onChange());

function observeSnapshots(doc: Y.Doc, onChange: () => void): () => void {
  // Snapshots are appended in their own transactions; any change to the doc may be one of them.
  const handler = () => onChange();
  doc.on('afterTransaction', handler);
  return () => doc.off('afterTransaction', handler);
}

/** The session's spans by start time, re-read when a span is opened, updated or closed. */
export function useSpans(doc: Y.Doc | undefined): Span[] {
  const version = useDocVersion(doc, observeSpanChanges);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(() => (doc ? listSpans(doc) : []), [doc, version]);
}

/**
 * The spans of child sessions, by session id, for as long as they are asked for: their docs are opened
 * through the doc store and released when a child is no longer in `sessionIds` or the caller unmounts.
 */
export function useChildTraces(sessionIds: readonly string[]): ReadonlyMap<string, ChildTrace> {
  const { store } = useServices();
  const sources = useMemo(() => new ChildTraceSources((name) => store.openDoc(name), reportStorageFailure), [store]);
  useEffect(() => () => sources.dispose(), [sources]);
  // A string key: the caller's array is rebuilt on every change of its rows, the set of ids rarely.
  const key = sessionIds.join('\n');
  useEffect(() => sources.setOpen(key ? key.split('\n') : []), [sources, key]);
  return useSyncExternalStore(sources.subscribe, sources.getSnapshot);
}

export function useSnapshots(doc: Y.Doc | undefined): Snapshot[] {
  const version = useDocVersion(doc, observeSnapshots);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(() => (doc ? listSnapshots(doc) : []), [doc, version]);
}

/**
 * The current time, ticking once per animation frame while `live` (an open span's bar grows), and
 * frozen otherwise so an idle pane costs nothing.
 */
export function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) {
      setNow(Date.now());
      return;
    }
    let frame = 0;
    const tick = () => {
      setNow(Date.now());
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [live]);
  return now;
}
