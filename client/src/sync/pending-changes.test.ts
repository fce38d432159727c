// The upload queue's rules with an in-memory table: a change leaves the queue only when a stored ack
// covers it (inserts and deletes), a whole-doc row only when the server holds the loaded copy, and a
// change whose tab died before saving it is dropped only once nothing can still bring it to disk.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  LOST_AFTER_MS,
  type NewPendingChange,
  type PendingChange,
  PendingChanges,
  type PendingChangeTable,
} from './pending-changes.ts';

function memoryTable() {
  const rows = new Map<number, PendingChange>();
  let next = 1;
  const table: PendingChangeTable & { rows: Map<number, PendingChange> } = {
    rows,
    add: async (c: NewPendingChange) => {
      const id = next++;
      rows.set(id, { ...c, id });
    },
    switchTarget: async () => {},
    forDoc: async (doc) => [...rows.values()].filter((r) => r.doc === doc),
    remove: async (ids) => {
      for (const id of ids) rows.delete(id);
    },
  };
  return table;
}

/** A device's doc whose local updates are recorded, and a server doc the test pushes them into. */
function setup(opts: { writer?: string; now?: () => number } = {}) {
  const table = memoryTable();
  const queue = new PendingChanges({ table, writer: opts.writer ?? 'tab-a', now: opts.now });
  const local = new Y.Doc();
  const server = new Y.Doc();
  const updates: Uint8Array[] = [];
  local.on('update', (u: Uint8Array) => {
    updates.push(u);
    void queue.record('session:1', u);
  });
  const pushAll = () => Y.applyUpdate(server, Y.encodeStateAsUpdate(local, Y.encodeStateVector(server)));
  const ack = () => queue.ack('session:1', Y.snapshot(server), local);
  return { table, queue, local, server, updates, pushAll, ack };
}

describe('PendingChanges', () => {
  it('keeps a change until a stored ack covers it', async () => {
    const t = setup();
    t.local.getText('t').insert(0, 'hello');
    expect(t.table.rows.size).toBe(1);
    await t.ack();
    expect(t.table.rows.size).toBe(1);
    t.pushAll();
    await t.ack();
    expect(t.table.rows.size).toBe(0);
  });

  it('clears exactly the changes an ack covers, in any order of arrival', async () => {
    const t = setup();
    const text = t.local.getText('t');
    text.insert(0, 'one ');
    text.insert(4, 'two ');
    text.insert(8, 'three');
    expect(t.table.rows.size).toBe(3);
    // The server got the first and the last update, not the middle one: it can only keep the last
    // aside (it builds on the middle one), and a stored snapshot does not count what is kept aside.
    Y.applyUpdate(t.server, t.updates[0] as Uint8Array);
    Y.applyUpdate(t.server, t.updates[2] as Uint8Array);
    await t.ack();
    expect(t.table.rows.size).toBe(2);
    Y.applyUpdate(t.server, t.updates[1] as Uint8Array);
    await t.ack();
    expect(t.table.rows.size).toBe(0);
  });

  it('keeps a delete the server lacks although the state vectors are equal', async () => {
    const t = setup();
    t.local.getText('t').insert(0, 'hello world');
    t.pushAll();
    await t.ack();
    expect(t.table.rows.size).toBe(0);
    t.local.getText('t').delete(0, 6);
    expect(Y.encodeStateVector(t.server)).toEqual(Y.encodeStateVector(t.local));
    await t.ack();
    expect(t.table.rows.size).toBe(1);
    t.pushAll();
    await t.ack();
    expect(t.table.rows.size).toBe(0);
  });

  it('is not fooled by a server that deleted other content of the same client', async () => {
    const t = setup();
    const text = t.local.getText('t');
    text.insert(0, 'abcdef');
    t.pushAll();
    await t.ack();
    text.delete(0, 2); // local: delete "ab"
    t.server.getText('t').delete(4, 2); // elsewhere: delete "ef" (same client's items)
    await t.ack();
    expect(t.table.rows.size).toBe(1);
    t.pushAll();
    await t.ack();
    expect(t.table.rows.size).toBe(0);
  });

  it('clears a whole-doc row only when the server holds everything the loaded copy holds', async () => {
    const t = setup();
    t.local.getText('t').insert(0, 'from before the queue');
    t.table.rows.clear();
    await t.table.add({ doc: 'session:1', writer: 'migration', at: 0 });
    await t.ack();
    expect(t.table.rows.size).toBe(1);
    t.pushAll();
    // Without a loaded copy the row cannot be judged: it stays.
    await t.queue.ack('session:1', Y.snapshot(t.server));
    expect(t.table.rows.size).toBe(1);
    await t.ack();
    expect(t.table.rows.size).toBe(0);
  });

  it('applies the latest of the acks that arrive while one runs', async () => {
    const t = setup();
    const text = t.local.getText('t');
    text.insert(0, 'a');
    text.insert(1, 'b');
    const early = Y.snapshot(t.server);
    t.pushAll();
    const first = t.queue.ack('session:1', early, t.local);
    const second = t.queue.ack('session:1', Y.snapshot(t.server), t.local);
    await Promise.all([first, second]);
    expect(t.table.rows.size).toBe(0);
  });

  it('does not touch another doc', async () => {
    const t = setup();
    t.local.getText('t').insert(0, 'x');
    await t.table.add({ doc: 'space', need: undefined, writer: 'tab-a', at: 0 });
    t.pushAll();
    await t.ack();
    expect([...t.table.rows.values()].map((r) => r.doc)).toEqual(['space']);
  });
});

describe('lost changes', () => {
  /** Tab B wrote a row for a change that never reached disk, then died. Tab A holds the doc. */
  function lostSetup(aliveB: boolean) {
    let now = 1_000;
    const table = memoryTable();
    const alive = new Set(aliveB ? ['tab-a', 'tab-b'] : ['tab-a']);
    const durable = new Y.Doc();
    const queue = new PendingChanges({
      table,
      writer: 'tab-a',
      now: () => now,
      lost: { aliveWriters: async () => alive, durableSnapshot: async () => Y.snapshot(durable) },
    });
    const tabB = new Y.Doc();
    tabB.getText('t').insert(0, 'typed in tab B');
    void table.add({
      doc: 'session:1',
      need: Y.encodeSnapshot(Y.snapshot(tabB)),
      writer: 'tab-b',
      at: now,
    });
    const local = new Y.Doc(); // tab A's copy: loaded from disk, which never got B's update
    const server = new Y.Doc();
    return {
      table,
      durable,
      tabB,
      advance: (ms: number) => {
        now += ms;
      },
      ack: () => queue.ack('session:1', Y.snapshot(server), local),
    };
  }

  it('drops a change whose writer died before saving it, once it is old enough', async () => {
    const t = lostSetup(false);
    await t.ack();
    expect(t.table.rows.size).toBe(1);
    t.advance(LOST_AFTER_MS);
    await t.ack();
    expect(t.table.rows.size).toBe(0);
  });

  it('keeps it while its writer lives (the write may be on its way)', async () => {
    const t = lostSetup(true);
    t.advance(LOST_AFTER_MS * 10);
    await t.ack();
    expect(t.table.rows.size).toBe(1);
  });

  it('keeps it when the disk holds it (it will be uploaded, not dropped)', async () => {
    const t = lostSetup(false);
    Y.applyUpdate(t.durable, Y.encodeStateAsUpdate(t.tabB));
    t.advance(LOST_AFTER_MS);
    await t.ack();
    expect(t.table.rows.size).toBe(1);
  });
});

describe('the queued-docs shortcut', () => {
  it('skips acks for docs without rows, and names docs that gain rows so their last ack is applied again', async () => {
    const t = setup();
    expect(t.queue.setQueuedDocs([])).toEqual([]);
    // Another tab's row, not yet seen by this tab's live query: the ack reads nothing.
    t.local.getText('t').insert(0, 'x');
    t.queue.setQueuedDocs([]);
    t.pushAll();
    await t.ack();
    expect(t.table.rows.size).toBe(1);
    // The live query catches up: the doc is new, and the ack applied again clears its row.
    expect(t.queue.setQueuedDocs(['session:1'])).toEqual(['session:1']);
    await t.ack();
    expect(t.table.rows.size).toBe(0);
  });
});
