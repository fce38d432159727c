import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  decodeStoredMessage,
  encodeStoredMessageForDoc,
  isDocStored,
  isUpdateStored,
  isValidDocName,
  MESSAGE_STORED,
  readStoredSnapshot,
} from './sync.ts';

describe('sync protocol', () => {
  it('accepts exactly the doc names [A-Za-z0-9:_-]{1,128}', () => {
    expect(isValidDocName('space')).toBe(true);
    expect(isValidDocName('session:ses_01H-x_y')).toBe(true);
    expect(isValidDocName('a'.repeat(128))).toBe(true);
    for (const bad of ['', 'a'.repeat(129), 'a b', 'a/b', 'café', 'a.b', 'a\n'])
      expect(isValidDocName(bad)).toBe(false);
  });

  it('round-trips a stored message, and a handler can read it after the type', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hello');
    const frame = encodeStoredMessageForDoc(doc);
    const decoder = decoding.createDecoder(frame);
    expect(decoding.readVarUint(decoder)).toBe(MESSAGE_STORED);
    expect(Y.equalSnapshots(readStoredSnapshot(decoder), Y.snapshot(doc))).toBe(true);
    expect(Y.equalSnapshots(decodeStoredMessage(frame), Y.snapshot(doc))).toBe(true);
    expect(() => decodeStoredMessage(new Uint8Array([0, 0]))).toThrow();
  });

  it('tells inserts and deletes apart: a stored state vector alone would not cover the delete', () => {
    const client = new Y.Doc();
    client.getText('t').insert(0, 'abc');
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
    const storedBefore = decodeStoredMessage(encodeStoredMessageForDoc(server));
    expect(isUpdateStored(storedBefore, Y.encodeStateAsUpdate(client))).toBe(true);

    client.getText('t').delete(0, 1); // a delete does not advance the client's clock
    expect(Y.encodeStateVector(client)).toEqual(Y.encodeStateVector(server));
    expect(isUpdateStored(storedBefore, Y.encodeStateAsUpdate(client))).toBe(false);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
    expect(isUpdateStored(decodeStoredMessage(encodeStoredMessageForDoc(server)), Y.encodeStateAsUpdate(client))).toBe(
      true,
    );
  });

  it('isDocStored agrees with snapshotContainsUpdate through inserts, deletes and a server that garbage-collects', () => {
    const client = new Y.Doc();
    const server = new Y.Doc(); // gc on, as on the sync server
    const stored = () => Y.snapshot(server);
    const sync = () => Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
    const text = client.getText('t');
    expect(isDocStored(stored(), client)).toBe(true);
    for (let i = 0; i < 30; i++) {
      if (i % 3 === 2 && text.length > 2) text.delete(1, 2);
      else text.insert(Math.min(i, text.length), `w${i}`);
      expect(isDocStored(stored(), client)).toBe(false);
      expect(isUpdateStored(stored(), Y.encodeStateAsUpdate(client))).toBe(false);
      sync();
      expect(isDocStored(stored(), client)).toBe(true);
      expect(isUpdateStored(stored(), Y.encodeStateAsUpdate(client))).toBe(true);
    }
  });
});
