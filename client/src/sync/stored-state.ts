// "Synced to server" means the server durably stored everything this device has: every insert
// (state vector) and every delete (delete set). A state vector alone would call a doc synced while
// a local delete is still only on this device, so both parts of the snapshot are compared.
import type * as Y from 'yjs';

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
