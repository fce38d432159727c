// Which kinds of event may raise a system notification on this device. Local-only (the browser's
// permission is per device too), kept in the settings table; Dexie's liveQuery carries a change
// made in one tab to the others. All off until the user turns one on.
import { liveQuery } from 'dexie';
import type { LocalDb } from '../docs/local-db.ts';
import type { NotifyKind } from './notify-events.ts';

export type NotifyPrefs = Record<NotifyKind, boolean>;

const KEY = 'notifications';

export const NO_NOTIFICATIONS: NotifyPrefs = { subagent: false, workflow: false, approval: false };

export async function readNotifyPrefs(db: LocalDb): Promise<NotifyPrefs> {
  const value = (await db.settings.get(KEY))?.value;
  if (typeof value !== 'object' || value === null) return NO_NOTIFICATIONS;
  const v = value as Partial<Record<NotifyKind, unknown>>;
  return { subagent: v.subagent === true, workflow: v.workflow === true, approval: v.approval === true };
}

export async function writeNotifyPref(db: LocalDb, kind: NotifyKind, on: boolean): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const prefs = await readNotifyPrefs(db);
    await db.settings.put({ key: KEY, value: { ...prefs, [kind]: on } });
  });
}

export function observeNotifyPrefs(db: LocalDb, onChange: (prefs: NotifyPrefs) => void): () => void {
  const sub = liveQuery(() => readNotifyPrefs(db)).subscribe({ next: onChange, error: () => {} });
  return () => sub.unsubscribe();
}

export type PermissionState = NotificationPermission | 'unsupported';

export function notificationPermission(): PermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** The permission, in words, for the Settings page. */
export function describePermission(state: PermissionState): string {
  switch (state) {
    case 'unsupported':
      return 'This browser cannot show system notifications: events show inside BooCode only.';
    case 'default':
      return 'Not asked yet: the browser asks for permission when you turn one on.';
    case 'granted':
      return 'Allowed: when BooCode is in the background, the kinds turned on here show as system notifications.';
    case 'denied':
      return 'Blocked by the browser: allow notifications for this site in the browser’s site settings.';
  }
}
