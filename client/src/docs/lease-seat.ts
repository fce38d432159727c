// The tab's side of the lease rules (shared/src/lease/driver-lease.ts): judging whether a doc's lease is
// free, alive or abandoned with what a browser can know (this device's tab locks, the hosts present on the
// space doc, whether this doc's socket is synced), and claiming it with the server's stored ack. Sessions,
// subagent queues and workflow runs all go through here.
import { realClock } from '@boocode/shared/agent/engine-deps';
import { getLease, type LeaseName } from '@boocode/shared/doc/lease';
import { SPACE_DOC } from '@boocode/shared/doc/names';
import {
  claimLease,
  type HeldLease,
  type HolderProbe,
  isHostDriver,
  LEASE_TIMING,
  type LeaseVerdict,
  LeaseWatch,
} from '@boocode/shared/lease/driver-lease';
import { type HostPresence, hostsInAwareness } from '@boocode/shared/protocol/host-presence';
import type * as Y from 'yjs';
import type { DocStore } from './doc-store.ts';
import { holdTabPresence, sameDeviceProbe, thisTabDriverId } from './driver-identity.ts';

/** How long a claim waits for the server's stored ack before it goes on (the settle still follows). */
const STORED_WAIT_MS = 3000;
/** A host counts as gone only once this tab has been connected this long (its presence had time to arrive). */
const PRESENCE_GRACE_MS = 2000;

const watch = new LeaseWatch(() => Date.now());
const connectedSince = new Map<string, number>();

/** The agent hosts present on the space doc right now (empty offline). */
export function presentHosts(store: DocStore): HostPresence[] {
  const awareness = store.awarenessOf(SPACE_DOC);
  if (!awareness || !store.isConnected(SPACE_DOC)) return [];
  return hostsInAwareness(awareness.getStates() as Map<number, Record<string, unknown>>);
}

/** Calls back when the hosts present may have changed. */
export function observeHosts(store: DocStore, onChange: () => void): () => void {
  let awareness = store.awarenessOf(SPACE_DOC);
  const attach = () => awareness?.on('change', onChange);
  attach();
  // The space doc links (and gets its awareness) after load; follow the store's status changes to find it.
  const off = store.status.subscribe(() => {
    const now = store.awarenessOf(SPACE_DOC);
    if (now !== awareness) {
      awareness?.off('change', onChange);
      awareness = now;
      attach();
    }
    onChange();
  });
  return () => {
    off();
    awareness?.off('change', onChange);
  };
}

function connectedLongEnough(store: DocStore, name: string): boolean {
  if (!store.isConnected(name)) {
    connectedSince.delete(name);
    return false;
  }
  const since = connectedSince.get(name) ?? Date.now();
  connectedSince.set(name, since);
  return Date.now() - since >= PRESENCE_GRACE_MS;
}

/** Everything this tab knows of holders: its device's tabs (locks), and hosts (presence, while connected). */
async function probe(store: DocStore): Promise<HolderProbe> {
  const tabs = await sameDeviceProbe();
  const hostsKnown = connectedLongEnough(store, SPACE_DOC);
  const hosts = new Set(presentHosts(store).map((h) => `host:${h.id}`));
  return (holder) => {
    if (isHostDriver(holder)) return hosts.has(holder) ? 'alive' : hostsKnown ? 'gone' : undefined;
    return tabs(holder);
  };
}

/** Rules 1-3 for one lease of one open doc, as this tab sees it now. */
export async function judgeLease(store: DocStore, docName: string, doc: Y.Doc, name: LeaseName): Promise<LeaseVerdict> {
  const p = await probe(store);
  return watch.judge(`${docName}/${name}`, getLease(doc, name), thisTabDriverId(), {
    probe: p,
    connected: store.isConnected(docName),
  });
}

/** Rule 4: claims the lease if it is free, abandoned or this tab's; undefined when another driver has it. */
export async function takeLease(
  store: DocStore,
  docName: string,
  doc: Y.Doc,
  name: LeaseName,
): Promise<HeldLease | undefined> {
  await holdTabPresence();
  const verdict = await judgeLease(store, docName, doc, name);
  if (verdict !== 'free' && verdict !== 'abandoned' && verdict !== 'mine') return undefined;
  const online = store.isConnected(docName);
  return claimLease(doc, name, {
    holder: thisTabDriverId(),
    clock: realClock,
    timing: LEASE_TIMING,
    ...(online ? { whenStored: () => store.whenStored(docName, STORED_WAIT_MS).then(() => {}) } : {}),
  });
}
