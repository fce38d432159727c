// "Synced to server" must never be shown while the server lacks one of our inserts or deletes.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { storedSnapshotCovers } from './stored-state.ts';

function pair() {
  const local = new Y.Doc();
  const server = new Y.Doc();
  const push = () => Y.applyUpdate(server, Y.encodeStateAsUpdate(local, Y.encodeStateVector(server)));
  const covers = () => storedSnapshotCovers(Y.snapshot(server), Y.snapshot(local));
  return { local, server, push, covers };
}

describe('storedSnapshotCovers', () => {
  it('is true when the server stored everything, false for an insert it lacks', () => {
    const { local, push, covers } = pair();
    local.getText('t').insert(0, 'hello');
    expect(covers()).toBe(false);
    push();
    expect(covers()).toBe(true);
  });

  it('is false while only a delete is missing on the server (a state vector cannot see it)', () => {
    const { local, server, push, covers } = pair();
    local.getText('t').insert(0, 'hello world');
    push();
    local.getText('t').delete(0, 6);
    expect(Y.encodeStateVector(local)).toEqual(Y.encodeStateVector(server));
    expect(covers()).toBe(false);
    push();
    expect(covers()).toBe(true);
  });

  it('is true when the server holds more than this device', () => {
    const { local, server, push, covers } = pair();
    local.getText('t').insert(0, 'abc');
    push();
    server.getText('t').insert(3, 'def');
    server.getText('t').delete(0, 1);
    expect(covers()).toBe(true);
  });

  it('agrees with Y.snapshotContainsUpdate on random edits and partial uploads (seeded)', () => {
    const seed = Number(process.env.SEED ?? Date.now() % 100_000);
    let state = seed;
    const rand = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    for (let round = 0; round < 200; round++) {
      const local = new Y.Doc();
      const server = new Y.Doc();
      const updates: Uint8Array[] = [];
      local.on('update', (u: Uint8Array) => updates.push(u));
      const text = local.getText('t');
      for (let i = 0; i < 12; i++) {
        if (text.length > 0 && rand() < 0.4) text.delete(Math.floor(rand() * text.length), 1);
        else text.insert(Math.floor(rand() * (text.length + 1)), 'x');
      }
      for (const u of updates) if (rand() < 0.7) Y.applyUpdate(server, u);
      const stored = Y.snapshot(server);
      const expected = Y.snapshotContainsUpdate(stored, Y.encodeStateAsUpdate(local));
      expect(storedSnapshotCovers(stored, Y.snapshot(local)), `seed ${seed}, round ${round}`).toBe(expected);
    }
  });
});
