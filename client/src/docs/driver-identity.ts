// Who this tab is as a driver, and what this device can tell about its own tabs. A driver id names its
// device (`<device>/<tab>`), so a lease says whose it is. Each tab holds a Web Lock named after its driver
// id for as long as it lives: another tab of this device learns from `navigator.locks.query()` at once
// that a lease holder of this device is gone (reload, close, crash), without waiting for its beat to stop.

import { newId } from '@boocode/shared/ids';
import type { HolderProbe } from '@boocode/shared/lease/driver-lease';
import { deviceOfDriver } from '@boocode/shared/lease/driver-lease';

const DEVICE_KEY = 'boocode-device-id';
const TAB_LOCK_PREFIX = 'boocode-tab:';

let device: string | undefined;

/** This browser profile's id (localStorage is per profile, like the device it stands for). */
export function thisDeviceId(): string {
  if (device) return device;
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = `dev_${crypto.randomUUID().replaceAll('-', '')}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  device = id;
  return id;
}

let tab: string | undefined;

/** This tab's driver id, fixed for the life of the page. */
export function thisTabDriverId(): string {
  tab ??= `${thisDeviceId()}/${newId('tab')}`;
  return tab;
}

let presence: Promise<void> | undefined;

/** Takes this tab's presence lock (once); it is held until the page goes away. */
export function holdTabPresence(): Promise<void> {
  presence ??= new Promise<void>((held) => {
    if (!navigator.locks) return held();
    void navigator.locks.request(`${TAB_LOCK_PREFIX}${thisTabDriverId()}`, () => {
      held();
      // Never resolves: the lock is released by the browser when the page dies.
      return new Promise<void>(() => {});
    });
  });
  return presence;
}

/**
 * What this device knows of lease holders right now: a tab of this device is alive exactly while its
 * presence lock is held; holders on other devices and hosts are not this probe's to judge.
 */
export async function sameDeviceProbe(): Promise<HolderProbe> {
  if (!navigator.locks) return () => undefined;
  const held = new Set(
    ((await navigator.locks.query()).held ?? []).flatMap((l) =>
      l.name?.startsWith(TAB_LOCK_PREFIX) ? [l.name.slice(TAB_LOCK_PREFIX.length)] : [],
    ),
  );
  const me = thisDeviceId();
  return (holder) => {
    if (deviceOfDriver(holder) !== me) return undefined;
    return held.has(holder) ? 'alive' : 'gone';
  };
}
