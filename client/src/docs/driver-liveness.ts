// Whether something that says "running" (a workflow run, a session's turn) has a live driver on another
// device. Web Locks only see this device's tabs, so the driving tab also writes a beat (its device id and
// a time) into the synced doc; a watching device counts it as abandoned only once the beat has stopped
// changing for STALE_MS of its own clock (the beat's time is the other device's clock, so it is compared
// for change, never for age).

/** Who drives, and when they last said so. */
export interface DriverBeat {
  device: string;
  at: number;
}

/** How often a driving tab beats a workflow run (a session's turn beats with the engine's heartbeat). */
export const BEAT_MS = 3000;
/** No change in the beat for this long (this device's clock): its driver is gone. */
export const STALE_MS = 12_000;

export class DriverLiveness {
  private readonly seen = new Map<string, { key: string; since: number }>();

  constructor(
    private readonly device: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** True while another device's driver beats (or beat within STALE_MS of this device first seeing it). */
  drivenElsewhere(key: string, beat: DriverBeat | undefined): boolean {
    if (!beat || beat.device === this.device) return false;
    const stamp = `${beat.device}:${beat.at}`;
    const last = this.seen.get(key);
    if (last?.key !== stamp) {
      this.seen.set(key, { key: stamp, since: this.now() });
      return true;
    }
    return this.now() - last.since < STALE_MS;
  }
}

const DEVICE_KEY = 'boocode-device-id';

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

/** A session driver's id names its device: `<device>/<tab>`, so another device can tell whose turn it is. */
export function driverIdOf(tabId: string): string {
  return `${thisDeviceId()}/${tabId}`;
}

/** The device part of a driver id written by driverIdOf (undefined for older ids). */
export function deviceOfDriver(driver: string | undefined): string | undefined {
  const slash = driver?.indexOf('/') ?? -1;
  return slash > 0 ? driver?.slice(0, slash) : undefined;
}
