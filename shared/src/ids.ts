// Ids that say what they name and sort by creation time: `ses_…`, `msg_…`, `spn_…`, `wfr_…`.
// Layout: prefix, 10 base-36 chars of milliseconds (sortable until year 5188), 8 random chars.

export type IdPrefix = 'ses' | 'msg' | 'spn' | 'wfr' | 'tab' | 'blb' | 'ntf';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export type RandomSource = () => number;

export function newId(prefix: IdPrefix, now: number = Date.now(), random: RandomSource = Math.random): string {
  let rand = '';
  for (let i = 0; i < 8; i++) rand += ALPHABET[Math.floor(random() * 36)];
  return `${prefix}_${now.toString(36).padStart(10, '0')}${rand}`;
}

/** The creation time encoded in an id made by `newId`, or undefined for a foreign id. */
export function idTime(id: string): number | undefined {
  const m = /^[a-z]+_([0-9a-z]{10})[0-9a-z]{8}$/.exec(id);
  return m ? Number.parseInt(m[1]!, 36) : undefined;
}
