import { type StorageTarget, storageBackends } from '@boocode/testkit/databases/storage-backends';
import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { SyncServer } from '../src/server/createSyncServer.ts';
import { connectClient, randomDocName, type TestClient, waitFor, waitSynced } from './support/clients.ts';
import { openRaw } from './support/rawSocket.ts';
import { startServer, TEST_TOKEN } from './support/servers.ts';

describe.each(storageBackends)('sync on $name storage', (backend) => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  let server: SyncServer;
  const clients: TestClient[] = [];
  const client = (doc: string, opts: { stored?: boolean } = {}) => {
    const c = connectClient(server.url, doc, { token: TEST_TOKEN, ...opts });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    target = await backend.create();
    server = await startServer(target, { poolSize: 1 });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    await target?.cleanup();
  });

  it('R3 two stock clients converge and a third joining later receives the whole state', async () => {
    const name = randomDocName();
    const a = client(name);
    const b = client(name);
    await Promise.all([waitSynced(a), waitSynced(b)]);
    a.doc.getText('t').insert(0, 'hello ');
    b.doc.getArray<number>('n').push([1, 2, 3]);
    a.doc.getMap('m').set('k', 'v');
    await waitFor(() => a.doc.getArray('n').length === 3 && b.doc.getText('t').toString() === 'hello ', 'converge');
    b.doc.getText('t').insert(6, 'world');
    await waitFor(() => a.doc.getText('t').toString() === 'hello world', 'a sees b');
    const c = client(name);
    await waitSynced(c);
    await waitFor(() => c.doc.getText('t').toString() === 'hello world', 'late joiner gets the text');
    const content = (doc: Y.Doc) => ({
      t: doc.getText('t').toString(),
      n: doc.getArray('n').toJSON(),
      m: doc.getMap('m').toJSON(),
    });
    expect(content(c.doc)).toEqual(content(a.doc));
    expect(content(b.doc)).toEqual(content(a.doc));
  });

  it('R4 awareness reaches the other peers, is removed on disconnect, and query-awareness is answered', async () => {
    const name = randomDocName();
    const a = client(name);
    const b = client(name);
    await Promise.all([waitSynced(a), waitSynced(b)]);
    a.provider.awareness.setLocalStateField('user', { name: 'ada' });
    await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'ada', 'b sees a');
    // A peer joining later gets the current presence of everyone.
    const c = client(name);
    await waitFor(() => c.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'ada', 'c sees a');
    // query-awareness (type 3) is answered with every known state (type 1).
    const raw = openRaw(server.url, `${name}?token=${TEST_TOKEN}`);
    await raw.opened;
    raw.messages.length = 0;
    raw.ws.send(new Uint8Array([3]));
    await waitFor(() => raw.messages.some((m) => m[0] === 1), 'awareness answer');
    const answer = decoding.createDecoder(raw.messages.find((m) => m[0] === 1)!);
    decoding.readVarUint(answer);
    const probe = new awarenessProtocol.Awareness(new Y.Doc());
    awarenessProtocol.applyAwarenessUpdate(probe, decoding.readVarUint8Array(answer), null);
    expect(probe.getStates().get(a.doc.clientID)).toEqual({ user: { name: 'ada' } });
    raw.ws.close();
    a.provider.disconnect();
    await waitFor(() => !b.provider.awareness.getStates().has(a.doc.clientID), 'a removed at b');
  });

  it('R1 an update is stored before any peer receives it, and R2 a joining peer is only sent stored state', async () => {
    const name = randomDocName();
    const a = client(name);
    const b = client(name);
    await Promise.all([waitSynced(a), waitSynced(b)]);
    // Hold the only storage connection: the server can receive but not commit.
    const held = await server.pool.connect();
    try {
      a.doc.getText('t').insert(0, 'x');
      await waitFor(() => server.stats().pendingWrites > 0, 'update waiting for storage');
      // The server relays frames to b in order: once a's later awareness arrives, an update
      // broadcast before storing would have arrived too.
      a.provider.awareness.setLocalStateField('marker', 1);
      await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.marker === 1, 'marker reaches b');
      expect(b.doc.getText('t').toString()).toBe('');
      const c = client(name);
      await waitSynced(c);
      await waitFor(() => c.provider.awareness.getStates().get(a.doc.clientID)?.marker === 1, 'marker reaches c');
      expect(c.doc.getText('t').toString()).toBe('');
      const rows = await held.query('SELECT count(*)::int AS n FROM doc_updates WHERE doc = $1', [name]);
      expect(rows.rows[0].n).toBe(0);
    } finally {
      held.release();
    }
    await waitFor(() => b.doc.getText('t').toString() === 'x', 'b receives after commit');
    const rows = await server.pool.query('SELECT count(*)::int AS n FROM doc_updates WHERE doc = $1', [name]);
    expect(rows.rows[0].n).toBeGreaterThan(0);
  });

  it('R5 a client that asks (stored=1) learns what is stored, deletes included; stock clients never get it', async () => {
    const name = randomDocName();
    const a = client(name, { stored: true });
    const stock = client(name);
    let stockGotStored = false;
    stock.provider.messageHandlers[100] = () => {
      stockGotStored = true;
    };
    await Promise.all([waitSynced(a), waitSynced(stock)]);
    await waitFor(() => a.stored !== null, 'initial stored snapshot');
    const text = a.doc.getText('t');
    text.insert(0, 'abcdef');
    const contains = () => a.stored !== null && Y.snapshotContainsUpdate(a.stored, Y.encodeStateAsUpdate(a.doc));
    await waitFor(contains, 'insert reported stored');
    // A state vector cannot tell whether a delete is stored; the snapshot's delete set can.
    const before = a.stored!;
    text.delete(1, 2);
    expect(Y.snapshotContainsUpdate(before, Y.encodeStateAsUpdate(a.doc))).toBe(false);
    await waitFor(contains, 'delete reported stored');
    await waitFor(() => stock.doc.getText('t').toString() === 'adef', 'stock client synced');
    expect(stockGotStored).toBe(false);
  });
});
