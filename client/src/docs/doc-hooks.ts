// Hooks over the doc store: open a doc for as long as a component shows it, and re-render when the
// part of the doc it reads changes. Reads go through the typed accessors in shared/doc.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import { useServices } from './doc-context.tsx';
import { reportStorageFailure } from './storage-failure-events.ts';

export interface OpenDocState {
  doc: Y.Doc | undefined;
  /** True once everything stored on this device has been applied to the doc. */
  loaded: boolean;
}

/** Opens `name` while the calling component is mounted. */
export function useDoc(name: string | undefined): OpenDocState {
  const { store } = useServices();
  const [state, setState] = useState<OpenDocState & { name?: string }>({ doc: undefined, loaded: false });
  useEffect(() => {
    if (!name) return;
    const handle = store.openDoc(name);
    let live = true;
    setState({ name, doc: handle.doc, loaded: store.isLoaded(name) });
    handle.whenLoaded.then(() => live && setState({ name, doc: handle.doc, loaded: true }), reportStorageFailure);
    return () => {
      live = false;
      handle.release();
    };
  }, [name, store]);
  // Never hand out the previous doc for a new name during the render before the effect runs.
  return state.name === name ? state : { doc: undefined, loaded: false };
}

/**
 * A number that changes whenever `observe` reports a change in `doc`; use it as a memo key for a
 * value computed with the accessors.
 */
export function useDocVersion(doc: Y.Doc | undefined, observe: (doc: Y.Doc, onChange: () => void) => () => void) {
  const source = useMemo(() => docVersionSource(doc, observe), [doc, observe]);
  return useSyncExternalStore(source.subscribe, source.get);
}

/**
 * The store behind useDocVersion. It signals once right after subscribing: React subscribes in an effect
 * after the render that read the doc, and an update landing in between (a sync step from the server)
 * fires no observer, so without the catch-up the reader kept its stale read until the next change. A
 * finished workflow run gets no next change: its card stayed on "Loading run…" on another device.
 */
export function docVersionSource(doc: Y.Doc | undefined, observe: (doc: Y.Doc, onChange: () => void) => () => void) {
  let version = 0;
  return {
    subscribe: (onChange: () => void) => {
      if (!doc) return () => {};
      const bump = () => {
        version++;
        onChange();
      };
      const stop = observe(doc, bump);
      bump();
      return stop;
    },
    get: () => version,
  };
}
