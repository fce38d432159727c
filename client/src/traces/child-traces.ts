// Keeps the docs of the child sessions the trace pane nests open, and their spans current as they stream.
// Invariant: each handle taken from the doc store is released exactly once, when its child is no longer
// asked for or the pane goes away.
import { sessionDocName } from '@boocode/shared/doc/names';
import { getSessionMeta } from '@boocode/shared/doc/session';
import { listSpans, observeSpans } from '@boocode/shared/doc/spans';
import type * as Y from 'yjs';
import type { DocHandle } from '../docs/doc-store.ts';
import type { ChildTrace } from './child-rows.ts';

interface OpenChild {
  handle: DocHandle;
  loaded: boolean;
  trace: ChildTrace;
  stop: () => void;
}

export class ChildTraceSources {
  private readonly children = new Map<string, OpenChild>();
  private snapshot: ReadonlyMap<string, ChildTrace> = new Map();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly openDoc: (name: string) => DocHandle,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Opens the docs of `sessionIds` not open yet and releases those no longer in it. */
  setOpen(sessionIds: readonly string[]): void {
    const wanted = new Set(sessionIds);
    let changed = false;
    for (const [id, child] of this.children) {
      if (wanted.has(id)) continue;
      this.close(id, child);
      changed = true;
    }
    for (const id of wanted) {
      if (this.children.has(id)) continue;
      this.children.set(id, this.start(id));
      changed = true;
    }
    if (changed) this.publish();
  }

  /** Releases every doc (the pane unmounted); setOpen may open them again. */
  dispose(): void {
    for (const [id, child] of this.children) this.close(id, child);
    this.publish();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ReadonlyMap<string, ChildTrace> => this.snapshot;

  private start(id: string): OpenChild {
    const handle = this.openDoc(sessionDocName(id));
    // A doc another view already holds may have its spans before whenLoaded settles: show them at once.
    const child: OpenChild = { handle, loaded: false, trace: readTrace(handle.doc, false), stop: () => {} };
    const refresh = () => {
      if (this.children.get(id) !== child) return;
      child.trace = readTrace(handle.doc, child.loaded);
      this.publish();
    };
    const unobserveSpans = observeSpans(handle.doc, refresh);
    // Until the session shows up (its meta arrives by sync), any change may be the one that brings it;
    // after that only span changes matter, so a child's streaming text costs nothing here.
    const onTransaction = () => {
      if (child.trace.status !== 'ready') refresh();
    };
    handle.doc.on('afterTransaction', onTransaction);
    child.stop = () => {
      unobserveSpans();
      handle.doc.off('afterTransaction', onTransaction);
    };
    handle.whenLoaded.then(() => {
      child.loaded = true;
      refresh();
    }, this.onError);
    return child;
  }

  private close(id: string, child: OpenChild): void {
    this.children.delete(id);
    child.stop();
    child.handle.release();
  }

  private publish(): void {
    const next = new Map<string, ChildTrace>();
    for (const [id, child] of this.children) next.set(id, child.trace);
    this.snapshot = next;
    for (const l of this.listeners) l();
  }
}

/** A child session is missing when, with everything on this device loaded, it has neither meta nor spans. */
function readTrace(doc: Y.Doc, loaded: boolean): ChildTrace {
  const meta = getSessionMeta(doc);
  const spans = listSpans(doc);
  if (!meta && spans.length === 0) return { status: loaded ? 'missing' : 'loading', spans: [] };
  return { status: 'ready', spans, provider: meta?.provider };
}
