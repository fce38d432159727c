// Live output of a running command, written into its open span in batches (not per chunk), so the tool
// card shows it while it runs, in this tab and in every tab that follows the session. The engine writes
// the final output when it closes the span; a late batch never overwrites a closed span.
import type * as Y from 'yjs';
import { getSpan, updateSpan } from '../doc/spans.ts';

// shared/ compiles without DOM or Node types; both have these timers.
const timers = globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown };

const FLUSH_MS = 250;
/** Keep the tail: the newest output is what the user watches. */
const MAX_CHARS = 8000;

export type LiveOutputSink = (spanId: string, text: string) => void;

export function spanLiveOutput(doc: Y.Doc): LiveOutputSink {
  const pending = new Map<string, { text: string; timer: unknown }>();
  const flush = (spanId: string) => {
    const entry = pending.get(spanId);
    if (!entry) return;
    entry.timer = undefined;
    if (getSpan(doc, spanId)?.status !== 'open') {
      pending.delete(spanId);
      return;
    }
    updateSpan(doc, spanId, { output: entry.text });
  };
  return (spanId, text) => {
    const entry = pending.get(spanId) ?? { text: '', timer: undefined };
    entry.text = (entry.text + text).slice(-MAX_CHARS);
    pending.set(spanId, entry);
    entry.timer ??= timers.setTimeout(() => flush(spanId), FLUSH_MS);
  };
}
