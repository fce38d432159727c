// Moving between the chat and the observability panes. The chat marks each message element with
// `data-message-id`; the panes scroll to it. The way back is a DOM event the trace pane listens for, so
// the chat needs no import of the trace pane (and the pane stays lazily loaded).

const FLASH_CLASS = 'jump-target';
export const SHOW_SPAN_EVENT = 'boocode:show-span';
/** Asks the session view to show its chat (on a narrow screen the chat is a tab, hidden behind a pane). */
export const SHOW_CHAT_EVENT = 'boocode:show-chat';

export interface ShowSpanDetail {
  spanId?: string;
  messageId?: string;
}

/** Scrolls the chat to a message and flashes it; false when the message is not rendered. */
export function scrollChatToMessage(messageId: string): boolean {
  window.dispatchEvent(new Event(SHOW_CHAT_EVENT));
  const el = document.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
  if (!el) return false;
  el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  el.classList.remove(FLASH_CLASS);
  // Restart the flash animation when the same message is jumped to twice.
  void el.offsetWidth;
  el.classList.add(FLASH_CLASS);
  window.setTimeout(() => el.classList.remove(FLASH_CLASS), 1600);
  return true;
}

let pending: ShowSpanDetail | undefined;

/**
 * Asks the trace pane to select and show a span (by id, or the first span of a message). When the pane is
 * not open, the request waits for it: the caller switches the side pane to `traces` and the pane takes it
 * when it mounts.
 */
export function showSpanInTrace(detail: ShowSpanDetail): void {
  pending = detail;
  window.dispatchEvent(new CustomEvent<ShowSpanDetail>(SHOW_SPAN_EVENT, { detail }));
}

/** The request no mounted trace pane has taken yet, if any (taking it clears it). */
export function takePendingShowSpan(): ShowSpanDetail | undefined {
  const p = pending;
  pending = undefined;
  return p;
}

/** Puts a request back for later (the spans it names have not synced yet). */
export function deferShowSpan(detail: ShowSpanDetail): void {
  pending = detail;
}
