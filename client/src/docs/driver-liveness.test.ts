import { describe, expect, it } from 'vitest';
import { DriverLiveness, deviceOfDriver, STALE_MS } from './driver-liveness.ts';

describe('DriverLiveness', () => {
  it("counts another device's run as driven while its beat changes, abandoned once it stops for STALE_MS", () => {
    let now = 1_000;
    const live = new DriverLiveness('dev_b', () => now);
    // The other device's clock is far off: only changes of the beat count, never its age.
    expect(live.drivenElsewhere('wfr_1', { device: 'dev_a', at: 5 })).toBe(true);
    now += STALE_MS - 1;
    expect(live.drivenElsewhere('wfr_1', { device: 'dev_a', at: 5 })).toBe(true);
    now += 1;
    expect(live.drivenElsewhere('wfr_1', { device: 'dev_a', at: 5 })).toBe(false);
    // It beats again: driven again, for another STALE_MS.
    expect(live.drivenElsewhere('wfr_1', { device: 'dev_a', at: 3005 })).toBe(true);
    now += STALE_MS - 1;
    expect(live.drivenElsewhere('wfr_1', { device: 'dev_a', at: 3005 })).toBe(true);
  });

  it("leaves this device's own runs and runs without a beat to the Web Locks", () => {
    const live = new DriverLiveness('dev_a', () => 0);
    expect(live.drivenElsewhere('wfr_1', { device: 'dev_a', at: 5 })).toBe(false);
    expect(live.drivenElsewhere('wfr_2', undefined)).toBe(false);
  });

  it('reads the device out of a session driver id, and nothing out of an older one', () => {
    expect(deviceOfDriver('dev_abc/tab_01x')).toBe('dev_abc');
    expect(deviceOfDriver('tab_01x')).toBeUndefined();
    expect(deviceOfDriver(undefined)).toBeUndefined();
  });
});
