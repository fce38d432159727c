// Compaction's merge runs on a worker thread (issue 18.4): same bytes as merging on the calling thread, a bad
// row skipped and counted, and the calling thread's event loop keeps turning while a big merge runs.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { mergeOffThread } from '../src/persistence/merge-off-thread.ts';
import { applyStoredDoc } from '../src/persistence/updateLog.ts';

function history(n: number): { snapshot: Uint8Array; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  doc.getMap('m').set('start', 1);
  const snapshot = Y.encodeStateAsUpdate(doc);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) doc.getArray<number>('a').push([i]);
    else if (i % 3 === 1) doc.getText('t').insert(doc.getText('t').length, `w${i} `);
    else doc.getMap<number>('m').set(`k${i % 50}`, i);
  }
  return { snapshot, updates };
}

function mergedHere(snapshot: Uint8Array | null, updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  applyStoredDoc(doc, { snapshot, updates, maxSeq: null }, null);
  return Y.encodeStateAsUpdate(doc);
}

describe('merging stored updates off the event loop', () => {
  it('gives the bytes the calling thread would, with or without a snapshot', async () => {
    const { snapshot, updates } = history(500);
    expect(Buffer.from((await mergeOffThread(snapshot, updates)).merged)).toEqual(
      Buffer.from(mergedHere(snapshot, updates)),
    );
    expect(Buffer.from((await mergeOffThread(null, updates.slice(0, 1))).merged)).toEqual(
      Buffer.from(mergedHere(null, updates.slice(0, 1))),
    );
  });

  it('takes rows that are views into one shared buffer (as pg hands them over) and leaves them intact', async () => {
    const { updates } = history(200);
    const shared = Buffer.alloc(updates.reduce((n, u) => n + u.byteLength + 7, 0));
    let at = 0;
    const views = updates.map((u) => {
      const view = shared.subarray(at + 7, at + 7 + u.byteLength);
      view.set(u);
      at += u.byteLength + 7;
      return view;
    });
    const { merged } = await mergeOffThread(null, views);
    expect(Buffer.from(merged)).toEqual(Buffer.from(mergedHere(null, updates)));
    expect(views.every((v, i) => Buffer.from(v).equals(Buffer.from(updates[i]!)))).toBe(true);
  });

  it('skips and counts a row that cannot be applied, and merges the rest', async () => {
    const { updates } = history(30);
    const bad = new Uint8Array([255, 255, 255, 255, 1]);
    const { merged, skipped } = await mergeOffThread(null, [...updates.slice(0, 10), bad, ...updates.slice(10)]);
    expect(skipped).toBe(1);
    expect(Buffer.from(merged)).toEqual(Buffer.from(mergedHere(null, updates)));
  });

  it('leaves the event loop free while a big merge runs', async () => {
    const { snapshot, updates } = history(60_000);
    let turns = 0;
    let running = true;
    const spin = () => {
      if (!running) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const result = await mergeOffThread(snapshot, updates);
    running = false;
    // Merging 60,000 updates on this thread would run start to end without one turn of the loop between.
    expect(turns).toBeGreaterThan(1);
    expect(result.merged.byteLength).toBeGreaterThan(0);
  });
});
