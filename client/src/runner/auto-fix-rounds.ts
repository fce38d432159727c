// How many auto-fix rounds a coder turn may inject on this device (0 turns the loop off), kept in the
// local-only Dexie settings table like the runner pairing: it is this machine's choice, not the session's.
import type { AutoFix } from '@boocode/shared/agent/auto-fix';
import { DEFAULT_AUTO_FIX_ROUNDS } from '@boocode/shared/runner/build-check';
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import { liveQuery } from 'dexie';
import type { LocalDb } from '../docs/local-db.ts';
import { createRunnerAutoFix } from './runner-auto-fix.ts';

const ROUNDS_KEY = 'runner.autoFixRounds';
export const MAX_AUTO_FIX_ROUNDS = 10;

/** A stored value, or the default when there is none or it is not a whole number in range. */
export function autoFixRoundsFrom(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) return DEFAULT_AUTO_FIX_ROUNDS;
  return value >= 0 && value <= MAX_AUTO_FIX_ROUNDS ? value : DEFAULT_AUTO_FIX_ROUNDS;
}

/** Why a typed number cannot be the limit, in words; undefined when it can. */
export function autoFixRoundsError(rounds: number): string | undefined {
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > MAX_AUTO_FIX_ROUNDS)
    return `Auto-fix rounds is a whole number from 0 (off) to ${MAX_AUTO_FIX_ROUNDS}.`;
  return undefined;
}

export async function readAutoFixRounds(db: LocalDb): Promise<number> {
  return autoFixRoundsFrom((await db.settings.get(ROUNDS_KEY))?.value);
}

/** The form checks the range first (autoFixRoundsError); a value out of range here is a bug. */
export async function writeAutoFixRounds(db: LocalDb, rounds: number): Promise<void> {
  if (autoFixRoundsError(rounds)) throw new RangeError(`auto-fix rounds out of range: ${rounds}`);
  await db.settings.put({ key: ROUNDS_KEY, value: rounds });
}

export function observeAutoFixRounds(db: LocalDb, onChange: (rounds: number) => void): () => void {
  const sub = liveQuery(() => readAutoFixRounds(db)).subscribe({ next: onChange, error: () => {} });
  return () => sub.unsubscribe();
}

/** The coder turn's auto-fix with this device's round limit; undefined when the user turned it off (0). */
export async function runnerAutoFixFor(db: LocalDb, pairing: RunnerPairing): Promise<AutoFix | undefined> {
  const maxRounds = await readAutoFixRounds(db);
  return maxRounds === 0 ? undefined : createRunnerAutoFix(pairing, { maxRounds });
}
