// Doc observers for React's useSyncExternalStore that never miss a change made before they were
// attached. React subscribes in an effect after the render that read the doc; an update that lands
// in between (a sync step from the server) fires no observer, and a memo keyed on "changes seen"
// keeps the stale read until the next change. A finished run gets no next change, so its card
// stayed on "Loading run…" on another device.
import type * as Y from 'yjs';

export type DocObserver = (doc: Y.Doc, onChange: () => void) => () => void;

/** `observe`, plus one change signal right after subscribing, so the reader re-reads the doc as it is now. */
export function catchUpOnSubscribe(observe: DocObserver): DocObserver {
  return (doc, onChange) => {
    const stop = observe(doc, onChange);
    onChange();
    return stop;
  };
}
