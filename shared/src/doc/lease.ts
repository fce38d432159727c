// Typed accessors for the driver leases kept in a doc: who drives a session's turn, a lead's subagent
// queue or a workflow run. One Y.Map `leases`, one JSON value per lease name, so a claim is written as
// a whole: two concurrent claims converge to the same winner on every replica (Yjs resolves concurrent
// sets of one key the same way everywhere), never to a mix of both. The rules are in lease/driver-lease.ts.
import type * as Y from 'yjs';
import { z } from 'zod';

const LEASES = 'leases';

/** What a lease is for: a session's turns, a lead's background children, a workflow run. */
export const LeaseNameSchema = z.enum(['turn', 'subagents', 'run']);
export type LeaseName = z.infer<typeof LeaseNameSchema>;

export const LeaseSchema = z.object({
  /** The driver: `host:<hostId>` for an agent host, `<device>/<tab>` for a browser tab. */
  holder: z.string(),
  /** Grows by one with every claim; a driver acts only while the lease still names it with its epoch. */
  epoch: z.number().int(),
  /**
   * `claiming`: written, not yet confirmed (another claimer may still win); `held`: the holder drives;
   * `released`: free for anyone.
   */
  state: z.enum(['claiming', 'held', 'released']),
  /** Bumped every beat while held; watchers compare it for change on their own clock, never for age. */
  beat: z.number().int(),
});
export type Lease = z.infer<typeof LeaseSchema>;

function leasesMap(doc: Y.Doc): Y.Map<Lease> {
  return doc.getMap<Lease>(LEASES);
}

export function getLease(doc: Y.Doc, name: LeaseName): Lease | undefined {
  const value = leasesMap(doc).get(name);
  const parsed = LeaseSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function putLease(doc: Y.Doc, name: LeaseName, lease: Lease): void {
  leasesMap(doc).set(name, { ...lease });
}

/** Calls back when the named lease changes, on any replica. */
export function observeLease(doc: Y.Doc, name: LeaseName, onChange: () => void): () => void {
  const map = leasesMap(doc);
  const handler = (ev: Y.YMapEvent<Lease>) => {
    if (ev.keysChanged.has(name)) onChange();
  };
  map.observe(handler);
  return () => map.unobserve(handler);
}
