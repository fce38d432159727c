// The way back from the chat: a message (or anything else) asks the trace pane for a span or a message's
// first span. A request made before the pane was open (or before the spans had loaded) is taken on mount.
import type { Span } from '@boocode/shared/doc/session-schema';
import { useEffect } from 'react';
import { deferShowSpan, SHOW_SPAN_EVENT, type ShowSpanDetail, takePendingShowSpan } from './chat-jump.ts';

export function useShowSpanRequests(ownSpans: readonly Span[], reveal: (spanId: string) => void): void {
  useEffect(() => {
    const show = ({ spanId, messageId }: ShowSpanDetail) => {
      const target = spanId ?? ownSpans.find((s) => s.messageId === messageId)?.id;
      if (!target || !ownSpans.some((s) => s.id === target)) return false;
      reveal(target);
      return true;
    };
    const waiting = takePendingShowSpan();
    if (waiting && !show(waiting)) deferShowSpan(waiting);
    const onShow = (e: Event) => {
      if (show((e as CustomEvent<ShowSpanDetail>).detail ?? {})) takePendingShowSpan();
    };
    window.addEventListener(SHOW_SPAN_EVENT, onShow);
    return () => window.removeEventListener(SHOW_SPAN_EVENT, onShow);
  }, [ownSpans, reveal]);
}
