// The probe that decides, before an update is stored, whether Yjs can apply it to the doc as stored.
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { UpdateProbe } from '../src/sync/update-probe.ts';

/** Client 1 types "hello" into text `t`. */
function hello(): Uint8Array {
  const d = new Y.Doc();
  d.clientID = 1;
  d.getText('t').insert(0, 'hello');
  return Y.encodeStateAsUpdate(d);
}

/** An item of client 2 after client 1's third character whose right neighbour is itself: Yjs throws applying it. */
function selfRightNeighbour(): Uint8Array {
  const e = encoding.createEncoder();
  for (const n of [1, 1, 2, 0]) encoding.writeVarUint(e, n);
  encoding.writeUint8(e, 4 | 0x80 | 0x40);
  for (const n of [1, 2, 2, 0]) encoding.writeVarUint(e, n);
  encoding.writeVarString(e, 'x');
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
}

/** Client 3 appends to whatever text `t` holds after `base`. */
function appendAfter(base: Uint8Array[], text: string): Uint8Array {
  const d = new Y.Doc();
  d.clientID = 3;
  for (const u of base) Y.applyUpdate(d, u);
  const before = Y.encodeStateVector(d);
  d.getText('t').insert(d.getText('t').length, text);
  return Y.encodeStateAsUpdate(d, before);
}

/** The origin the server applies a peer's checked update with. */
const PEER = Symbol('peer');

describe('UpdateProbe', () => {
  it('passes valid updates, including one that builds on an update still being stored', () => {
    const live = new Y.Doc();
    const probe = new UpdateProbe(live, (origin) => origin === PEER);
    const first = hello();
    expect(probe.check(first)).toBe(true);
    expect(probe.check(appendAfter([first], '!'))).toBe(true);
    expect(live.getText('t').toString()).toBe(''); // the live doc only takes what is stored
  });

  it('refuses an update that decodes but throws when applied, and leaves the live doc alone', () => {
    const live = new Y.Doc();
    Y.applyUpdate(live, hello());
    const probe = new UpdateProbe(live, (origin) => origin === PEER);
    expect(() => Y.decodeUpdate(selfRightNeighbour())).not.toThrow();
    expect(probe.check(selfRightNeighbour())).toBe(false);
    expect(live.getText('t').toString()).toBe('hello');
  });

  it('after a refusal, still knows the updates in flight', () => {
    const live = new Y.Doc();
    const probe = new UpdateProbe(live, (origin) => origin === PEER);
    const first = hello();
    expect(probe.check(first)).toBe(true); // in flight, not in the live doc
    expect(probe.check(selfRightNeighbour())).toBe(false); // throws against the in-flight "hello"
    // Rebuilt from the live doc plus "hello": the broken item still meets "hello" and is refused
    // again (without "hello" it would only wait for it), and an edit on top of "hello" passes.
    expect(probe.check(selfRightNeighbour())).toBe(false);
    const next = appendAfter([first], '!');
    expect(probe.check(next)).toBe(true);
    Y.applyUpdate(live, first, PEER);
    probe.settled(first);
    Y.applyUpdate(live, next, PEER);
    probe.settled(next);
    expect(live.getText('t').toString()).toBe('hello!');
  });

  it('mirrors what reaches the live doc from elsewhere (loads, other instances)', () => {
    const live = new Y.Doc();
    const probe = new UpdateProbe(live, (origin) => origin === PEER);
    expect(probe.check(appendAfter([], 'a'))).toBe(true); // builds the probe
    Y.applyUpdate(live, hello()); // e.g. read from another instance's rows
    // Only against "hello" does the broken item throw: the probe must have it too.
    expect(probe.check(selfRightNeighbour())).toBe(false);
  });
});
