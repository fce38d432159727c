// The toasts this tab shows, newest last. Plain store (no React) so the notifier can push to it and
// the stack component subscribes with useSyncExternalStore.
import type { NotifyEvent } from './notify-events.ts';

/** Older toasts give way: a burst of events never covers the screen. */
export const MAX_TOASTS = 4;

export class ToastStore {
  private toasts: NotifyEvent[] = [];
  private readonly listeners = new Set<() => void>();

  show(event: NotifyEvent): void {
    if (this.toasts.some((t) => t.id === event.id)) return;
    this.toasts = [...this.toasts, event].slice(-MAX_TOASTS);
    this.changed();
  }

  dismiss(id: string): void {
    const next = this.toasts.filter((t) => t.id !== id);
    if (next.length === this.toasts.length) return;
    this.toasts = next;
    this.changed();
  }

  list = (): NotifyEvent[] => this.toasts;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}
