// Whether a run that says "running" has a live driver on another device. Web Locks only see this
// device's tabs, so the driving tab also writes a beat (device id + time) into the synced run doc; a
// watching device counts a run as abandoned only once the beat has stopped changing for STALE_MS of its
// own clock (the beat's time is the other device's clock, so it is compared for change, never for age).
import type { RunDriverBeat } from '@boocode/shared/doc/workflow-run';

/** How often the driving tab beats. */
export const BEAT_MS = 3000;
/** No change in the beat for this long (this device's clock): its driver is gone. */
export const STALE_MS = 12_000;

export class RunLiveness {
  private readonly seen = new Map<string, { key: string; since: number }>();

  constructor(
    private readonly device: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** True while another device's driver beats (or beat within STALE_MS of this device first seeing it). */
  drivenElsewhere(runId: string, beat: RunDriverBeat | undefined): boolean {
    if (!beat || beat.device === this.device) return false;
    const key = `${beat.device}:${beat.at}`;
    const last = this.seen.get(runId);
    if (last?.key !== key) {
      this.seen.set(runId, { key, since: this.now() });
      return true;
    }
    return this.now() - last.since < STALE_MS;
  }
}

const DEVICE_KEY = 'boocode-device-id';

/** This browser profile's id (localStorage is per profile, like the device it stands for). */
export function thisDeviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = `dev_${crypto.randomUUID()}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}
