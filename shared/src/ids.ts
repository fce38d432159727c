// Ids that say what they name and sort by creation time: `ses_…`, `msg_…`, `spn_…`, `wfr_…`.
// Layout: prefix, 10 base-36 chars of milliseconds (sortable until year 5188), 8 random chars.

export type IdPrefix = 'ses' | 'msg' | 'spn' | 'wfr' | 'tab' | 'blb' | 'ntf';

export type RandomSource = () => number;

// Two ids made in the same millisecond by this process still sort in the order they were made (as a
// monotonic ULID does): the random part of the second is the first's plus one. Seeded callers (a replayed
// race) get plain draws, so a replay does not depend on what ran before it.
let last = { now: -1, rand: 0 };
const RAND_SPACE = 36 ** 8;

export function newId(prefix: IdPrefix, now: number = Date.now(), random: RandomSource = Math.random): string {
  let n: number;
  if (random === Math.random && now === last.now && last.rand + 1 < RAND_SPACE) n = last.rand + 1;
  else n = Math.floor(random() * (RAND_SPACE / 2));
  if (random === Math.random) last = { now, rand: n };
  return `${prefix}_${now.toString(36).padStart(10, '0')}${n.toString(36).padStart(8, '0')}`;
}

/** The creation time encoded in an id made by `newId`, or undefined for a foreign id. */
export function idTime(id: string): number | undefined {
  const m = /^[a-z]+_([0-9a-z]{10})[0-9a-z]{8}$/.exec(id);
  return m ? Number.parseInt(m[1]!, 36) : undefined;
}
