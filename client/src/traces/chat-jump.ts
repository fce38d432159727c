// Moving between the chat and the observability panes. The chat marks each message element with
// `data-message-id`; the panes scroll to it. The way back is a DOM event the trace pane listens for, so
// the chat needs no import of the trace pane (and the pane stays lazily loaded).

const FLASH_CLASS = 'jump-target';
export const SHOW_SPAN_EVENT = 'boocode:show-span';

export interface ShowSpanDetail {
  spanId?: string;
  messageId?: string;
}

/** Scrolls the chat to a message and flashes it; false when the message is not rendered. */
export function scrollChatToMessage(messageId: string): boolean {
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

/** Asks the trace pane to select and show a span (by id, or the first span of a message). */
export function showSpanInTrace(detail: ShowSpanDetail): void {
  window.dispatchEvent(new CustomEvent<ShowSpanDetail>(SHOW_SPAN_EVENT, { detail }));
}
