// Mounted once in the shell: starts this tab's notifier (docs -> events -> one claiming tab -> toast or
// system notification), opens the session a clicked system notification names, and renders the toasts.
import { Link, useRouter } from '@tanstack/react-router';
import { type RefObject, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { startNotifier } from './notifier.ts';
import { browserClaimDeps, claimEvent, pruneClaims } from './notify-claim.ts';
import { deliverEvent, showSystemNotification } from './notify-delivery.ts';
import type { NotifyEvent } from './notify-events.ts';
import { notificationPermission, readNotifyPrefs } from './notify-prefs.ts';
import { ToastStore } from './toast-store.ts';

/** How long a toast stays while the tab is visible and the pointer is not on it. */
const TOAST_MS = 8000;
/** What the service worker posts when a notification is clicked (sw-notifications.js). */
const OPEN_URL_MESSAGE = 'boocode:open-url';

export function NotificationCenter() {
  const { db, store, space } = useServices();
  const router = useRouter();
  const [toasts] = useState(() => new ToastStore());

  useEffect(() => {
    const claims = browserClaimDeps(db);
    const delivery = {
      isVisible: claims.isVisible,
      prefs: () => readNotifyPrefs(db),
      permission: notificationPermission,
      showSystem: showSystemNotification,
      showToast: (event: NotifyEvent) => toasts.show(event),
    };
    void pruneClaims(db, Date.now()).catch((error: unknown) =>
      console.warn('could not prune notification claims', error),
    );
    return startNotifier({
      space,
      openDoc: (name) => store.openDoc(name),
      now: Date.now,
      emit: (event) => {
        claimEvent(claims, event.id)
          .then((won) => (won ? deliverEvent(delivery, event) : undefined))
          .catch((error: unknown) => console.error('notification event lost', event.id, error));
      },
    });
  }, [db, store, space, toasts]);

  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    const onMessage = (e: MessageEvent<{ type?: string; url?: string }>) => {
      const url = e.data?.url;
      // Only a path inside this app: the message names where to go, never another origin.
      if (e.data?.type === OPEN_URL_MESSAGE && url?.startsWith('/') && !url.startsWith('//')) router.history.push(url);
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, [router]);

  const list = useSyncExternalStore(toasts.subscribe, toasts.list);
  return (
    <div className="notify-stack" role="status" aria-live="polite" data-testid="notify-stack">
      {list.map((t) => (
        <NotifyToast key={t.id} event={t} onDismiss={() => toasts.dismiss(t.id)} />
      ))}
    </div>
  );
}

function NotifyToast({ event, onDismiss }: { event: NotifyEvent; onDismiss: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useAutoDismiss(ref, onDismiss);
  return (
    <div ref={ref} className={`toast notify-toast ${event.tone}`} data-testid="notify-toast" data-event-id={event.id}>
      <Link to="/s/$sessionId" params={{ sessionId: event.sessionId }} onClick={onDismiss} className="notify-link">
        <strong>{event.title}</strong>
        {event.body ? <span>{event.body}</span> : null}
      </Link>
      <button type="button" className="notify-close" onClick={onDismiss} aria-label="Dismiss notification">
        ×
      </button>
    </div>
  );
}

/**
 * Dismisses after TOAST_MS of being seen: the clock only runs while the tab is visible, and a pointer
 * or focus on the toast holds it (time to read it and reach its link).
 */
function useAutoDismiss(ref: RefObject<HTMLElement | null>, onDismiss: () => void): void {
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  useEffect(() => {
    const el = ref.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let held = false;
    const arm = () => {
      clearTimeout(timer);
      if (!held && document.visibilityState === 'visible') timer = setTimeout(() => dismiss.current(), TOAST_MS);
    };
    const hold = (on: boolean) => () => {
      held = on;
      arm();
    };
    const events: [EventTarget | null | undefined, string, () => void][] = [
      [document, 'visibilitychange', arm],
      [el, 'pointerenter', hold(true)],
      [el, 'pointerleave', hold(false)],
      [el, 'focusin', hold(true)],
      [el, 'focusout', hold(false)],
    ];
    for (const [target, type, fn] of events) target?.addEventListener(type, fn);
    arm();
    return () => {
      clearTimeout(timer);
      for (const [target, type, fn] of events) target?.removeEventListener(type, fn);
    };
  }, [ref]);
}
