// "Synced to server" means the server durably stored everything this device has: every insert
// (state vector) and every delete (delete set). A state vector alone would call a doc synced while
// a local delete is still only on this device, so both parts of the snapshot are compared.
import * as Y from 'yjs';

type Range = { clock: number; len: number };

function rangeCovered(start: number, end: number, stored: readonly Range[]): boolean {
  let cursor = start;
  for (const r of stored) {
    if (r.clock + r.len <= cursor) continue;
    if (r.clock > cursor) return false;
    cursor = r.clock + r.len;
    if (cursor >= end) return true;
  }
  return cursor >= end;
}

/** True when `stored` contains every insert and delete that `local` has. */
export function storedSnapshotCovers(stored: Y.Snapshot, local: Y.Snapshot): boolean {
  for (const [client, clock] of local.sv) {
    if ((stored.sv.get(client) ?? 0) < clock) return false;
  }
  for (const [client, items] of local.ds.clients) {
    const storedItems = [...(stored.ds.clients.get(client) ?? [])].sort((a, b) => a.clock - b.clock);
    for (const item of items) {
      if (!rangeCovered(item.clock, item.clock + item.len, storedItems)) return false;
    }
  }
  return true;
}

/**
 * What the server must hold for one update to count as stored: for each client, the clock just past
 * its last struct (the server's state vector only counts contiguous structs, so reaching that clock
 * means every struct of the update is there), and the update's own delete set.
 */
export function snapshotOfUpdate(update: Uint8Array): Y.Snapshot {
  const { structs, ds } = Y.decodeUpdate(update);
  const sv = new Map<number, number>();
  for (const s of structs) {
    // A Skip marks a gap in a merged update, not content the server must hold.
    if (s instanceof Y.Skip) continue;
    const end = s.id.clock + s.length;
    if ((sv.get(s.id.client) ?? 0) < end) sv.set(s.id.client, end);
  }
  return Y.createSnapshot(ds, sv);
}
