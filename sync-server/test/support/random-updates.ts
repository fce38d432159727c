/**
 * Seeded streams of Yjs updates as a server receives them: several clients edit a doc (text with
 * formatting, an array, a map), now and then sync with each other, and their updates arrive
 * interleaved, sometimes ahead of what they depend on (so some structs wait as pending), sometimes
 * twice (a client resending after a reconnect), and now and then never (a client that left: what
 * depends on it stays pending for good).
 */
import * as prng from 'lib0/prng';
import * as Y from 'yjs';

export interface ReceivedUpdate {
  doc: string;
  bytes: Uint8Array;
}

type Edit = (rng: prng.PRNG, doc: Y.Doc, tag: string) => void;

const insertText: Edit = (rng, doc) => {
  const text = doc.getText('t');
  text.insert(prng.int32(rng, 0, text.length), prng.word(rng, 1, 6));
};
const deleteText: Edit = (rng, doc) => {
  const text = doc.getText('t');
  if (text.length === 0) return;
  const at = prng.int32(rng, 0, text.length - 1);
  text.delete(at, prng.int32(rng, 1, Math.min(4, text.length - at)));
};
const formatText: Edit = (rng, doc) => {
  const text = doc.getText('t');
  if (text.length > 0) text.format(0, prng.int32(rng, 1, text.length), { bold: prng.bool(rng) || null });
};
const insertItem: Edit = (rng, doc, tag) => {
  const arr = doc.getArray<string>('a');
  arr.insert(prng.int32(rng, 0, arr.length), [tag]);
};
const deleteItem: Edit = (rng, doc) => {
  const arr = doc.getArray<string>('a');
  if (arr.length > 0) arr.delete(prng.int32(rng, 0, arr.length - 1), 1);
};
const setKey: Edit = (rng, doc, tag) => {
  doc.getMap<string>('m').set(prng.oneOf(rng, ['x', 'y', 'z']), tag);
};
const deleteKey: Edit = (rng, doc) => {
  doc.getMap<string>('m').delete(prng.oneOf(rng, ['x', 'y', 'z']));
};

/** Every kind of edit: text (with formatting), array and map. */
export const ALL_EDITS: readonly Edit[] = [
  insertText,
  deleteText,
  formatText,
  insertItem,
  deleteItem,
  setKey,
  deleteKey,
];
/** The same without formatting (the sync fuzz test compares plain text; its seeds replay these steps). */
export const PLAIN_EDITS: readonly Edit[] = ALL_EDITS.filter((e) => e !== formatText);

/** One random edit of `doc`'s text `t`, array `a` or map `m`, drawn from `edits`; `tag` is what it inserts. */
export function randomEdit(rng: prng.PRNG, doc: Y.Doc, tag: string, edits: readonly Edit[] = ALL_EDITS): void {
  edits[prng.int32(rng, 0, edits.length - 1)]!(rng, doc, tag);
}

/** The updates `clients` clients make on one doc, each client's in its own order. */
function clientUpdates(rng: prng.PRNG, docName: string, clients: number, edits: number): Uint8Array[][] {
  const replicas = Array.from({ length: clients }, (_, i) => {
    const doc = new Y.Doc();
    // Fixed client ids: conflict resolution orders by them, and a seed must replay the same doc.
    doc.clientID = 1000 + i;
    return doc;
  });
  const made: Uint8Array[][] = replicas.map(() => []);
  replicas.forEach((doc, i) => {
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'sync') made[i]!.push(u);
    });
  });
  for (let n = 0; n < edits; n++) {
    const i = prng.int32(rng, 0, clients - 1);
    if (prng.int32(rng, 0, 9) === 0) {
      // Sync with another replica: later edits then build on (and delete) that client's items.
      const from = replicas[prng.int32(rng, 0, clients - 1)]!;
      Y.applyUpdate(replicas[i]!, Y.encodeStateAsUpdate(from, Y.encodeStateVector(replicas[i]!)), 'sync');
    }
    randomEdit(rng, replicas[i]!, `${docName}:${i}:${n}`);
  }
  for (const doc of replicas) doc.destroy();
  return made;
}

/**
 * Every update of `docs` docs in the order a server receives them: clients' streams interleaved at
 * random, an update occasionally swapped with the next one of its client (a gap, then the fill),
 * sent again, or lost.
 */
export function receivedUpdates(rng: prng.PRNG, docs: string[], clients = 3, edits = 80): ReceivedUpdate[] {
  const queues: ReceivedUpdate[][] = docs.flatMap((doc) =>
    clientUpdates(rng, doc, clients, edits).map((list) => list.map((bytes) => ({ doc, bytes }))),
  );
  const out: ReceivedUpdate[] = [];
  for (;;) {
    const open = queues.filter((q) => q.length > 0);
    if (open.length === 0) return out;
    const q = prng.oneOf(rng, open);
    const roll = prng.int32(rng, 0, 99);
    if (roll < 5 && q.length > 1) [q[0], q[1]] = [q[1]!, q[0]!];
    const next = q.shift()!;
    if (roll === 99) continue;
    out.push(next);
    if (roll >= 5 && roll < 10) out.push(next);
  }
}

/** A doc built by applying the given updates one by one, in order: what the separate rows replay to. */
export function applySeparately(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

/** Content and full encoded state (pending structs and deletes included), for exact comparison. */
export function docFingerprint(doc: Y.Doc): { content: unknown; state: number[]; sv: number[] } {
  return {
    content: {
      t: doc.getText('t').toDelta(),
      a: doc.getArray('a').toJSON(),
      m: Object.entries(doc.getMap('m').toJSON()).sort(([a], [b]) => a.localeCompare(b)),
    },
    state: [...Y.encodeStateAsUpdate(doc)],
    sv: [...Y.encodeStateVector(doc)],
  };
}
