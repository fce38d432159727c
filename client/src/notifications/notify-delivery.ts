// Where a claimed event is shown: a toast in a visible tab; a system notification (through the
// service worker, so a click reaches the app) from a hidden tab when the user turned that kind on and
// the browser allows it; otherwise a toast that waits for the user to come back.
import type { NotifyEvent } from './notify-events.ts';
import type { NotifyPrefs, PermissionState } from './notify-prefs.ts';

export interface DeliveryDeps {
  isVisible(): boolean;
  prefs(): Promise<NotifyPrefs>;
  permission(): PermissionState;
  showSystem(event: NotifyEvent): Promise<void>;
  showToast(event: NotifyEvent): void;
}

export async function deliverEvent(deps: DeliveryDeps, event: NotifyEvent): Promise<'toast' | 'system'> {
  if (!deps.isVisible() && deps.permission() === 'granted' && (await deps.prefs())[event.kind]) {
    try {
      await deps.showSystem(event);
      return 'system';
    } catch (error) {
      // No service worker (dev server) or the browser refused: the toast still tells the user.
      console.warn('system notification failed, showing a toast', error);
    }
  }
  deps.showToast(event);
  return 'toast';
}

/** The URL a notification opens: the session, inside this app. */
export function sessionUrl(sessionId: string): string {
  return `/s/${encodeURIComponent(sessionId)}`;
}

/** Shows the event through the service worker registration (its `notificationclick` opens `data.url`). */
export async function showSystemNotification(event: NotifyEvent): Promise<void> {
  if (!('serviceWorker' in navigator) || !navigator.serviceWorker.controller) throw new Error('no service worker');
  const registration = await navigator.serviceWorker.ready;
  await registration.showNotification(event.title, {
    ...(event.body ? { body: event.body } : {}),
    tag: event.id,
    icon: '/icons/icon-192.png',
    data: { url: sessionUrl(event.sessionId), eventId: event.id },
  });
}
