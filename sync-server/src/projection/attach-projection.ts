// Keeps one loaded doc projected: the whole doc once on attach (the tables may be behind after a
// restart), then at most once per `delayMs` while updates arrive, so a streaming turn costs one
// batched upsert per window rather than one per update.
import type * as Y from 'yjs';
import type { ProjectionResult, SessionProjector } from './session-projector.ts';

export interface AttachProjectionOptions {
  /** Longest a change waits before it is projected. */
  delayMs?: number;
  onError?: (err: unknown) => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface AttachedProjection {
  /** Projects now (cancelling the pending window) and resolves when the tables match the doc as it is. */
  flush(): Promise<ProjectionResult | undefined>;
  /** Stops watching; flushes what is pending first. */
  detach(): Promise<void>;
}

export function attachProjection(
  projector: SessionProjector,
  docName: string,
  doc: Y.Doc,
  opts: AttachProjectionOptions = {},
): AttachedProjection {
  const delayMs = opts.delayMs ?? 250;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const onError = opts.onError ?? ((err) => console.error(`[projection] ${docName}:`, err));
  let timer: unknown;
  let last: Promise<ProjectionResult | undefined> = Promise.resolve(undefined);

  const run = () => {
    timer = undefined;
    last = projector.project(docName, doc);
    // A failed projection is retried by the next update or flush; it must not become an unhandled rejection.
    last.catch(onError);
    return last;
  };
  const onUpdate = () => {
    if (timer === undefined) timer = setTimer(run, delayMs);
  };
  doc.on('update', onUpdate);
  run();

  const flush = () => {
    if (timer !== undefined) clearTimer(timer);
    return run();
  };
  return {
    flush,
    async detach() {
      doc.off('update', onUpdate);
      await flush().catch(() => undefined);
      projector.forget(docName);
    },
  };
}
