// A driver seat for engine tests: claims the session's lease at once (no settle wait), and refuses when the
// test says another driver holds the session.
import { type DriverSeat, realClock } from '@boocode/shared/agent/engine-deps';
import { getSessionMeta } from '@boocode/shared/doc/session';
import { claimLease } from '@boocode/shared/lease/driver-lease';

export function createTestSeat(holder: string, busy: (sessionId: string) => boolean = () => false): DriverSeat {
  return {
    take: async (doc) => {
      if (busy(getSessionMeta(doc)?.id ?? doc.guid)) return undefined;
      return claimLease(doc, 'turn', { holder, clock: realClock, timing: { settleMs: 0 } });
    },
  };
}
