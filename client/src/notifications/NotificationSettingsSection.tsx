// Settings: which events may raise a system notification while BooCode is in the background. The
// browser is asked for permission only when the user turns a kind on, never on load.
import { useEffect, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { reportStorageFailure } from '../docs/storage-failure-events.ts';
import type { NotifyKind } from './notify-events.ts';
import {
  describePermission,
  type NotifyPrefs,
  notificationPermission,
  observeNotifyPrefs,
  type PermissionState,
  writeNotifyPref,
} from './notify-prefs.ts';

const KIND_LABELS: Record<NotifyKind, string> = {
  subagent: 'A subagent finished or failed',
  workflow: 'A workflow run finished or failed',
  approval: 'An approval is waiting',
};

export function NotificationSettingsSection() {
  const { db } = useServices();
  const [prefs, setPrefs] = useState<NotifyPrefs | undefined>();
  const permission = usePermission();

  useEffect(() => observeNotifyPrefs(db, setPrefs), [db]);

  const toggle = async (kind: NotifyKind, on: boolean) => {
    // Show the click at once; the stored value follows through liveQuery (and wins if they differ).
    setPrefs((cur) => cur && { ...cur, [kind]: on });
    if (on && permission.state === 'default') permission.update(await Notification.requestPermission());
    await writeNotifyPref(db, kind, on);
  };

  return (
    <section className="card" aria-labelledby="notify-h" data-testid="notification-settings">
      <h2 id="notify-h">Notifications</h2>
      <p className="muted">
        While BooCode is open, these events show as a note in the corner of one tab. Turn a kind on here to also get a
        system notification when no BooCode tab is in view.
      </p>
      <fieldset className="notify-kinds" disabled={!prefs || permission.state === 'unsupported'}>
        <legend className="visually-hidden">System notifications for</legend>
        {(Object.keys(KIND_LABELS) as NotifyKind[]).map((kind) => (
          <label key={kind} className="check-row">
            <input
              type="checkbox"
              checked={prefs?.[kind] ?? false}
              onChange={(e) => toggle(kind, e.target.checked).catch(reportStorageFailure)}
              data-testid={`notify-${kind}`}
            />
            <span>{KIND_LABELS[kind]}</span>
          </label>
        ))}
      </fieldset>
      <p className={`notify-permission ${permission.state}`} role="status" data-testid="notify-permission">
        {describePermission(permission.state)}
      </p>
    </section>
  );
}

/** The browser's notification permission, kept current when the user changes it in site settings. */
function usePermission(): { state: PermissionState; update(state: PermissionState): void } {
  const [state, setState] = useState<PermissionState>(notificationPermission);
  useEffect(() => {
    let status: PermissionStatus | undefined;
    const onChange = () => setState(notificationPermission());
    navigator.permissions
      ?.query({ name: 'notifications' })
      .then((s) => {
        status = s;
        s.addEventListener('change', onChange);
      })
      .catch(() => {});
    return () => status?.removeEventListener('change', onChange);
  }, []);
  return { state, update: setState };
}
