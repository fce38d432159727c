/** Seeded randomness for fault tests: SEED=<n> replays a run; the seed is printed on failure. */
import * as prng from 'lib0/prng';

export function testSeed(): number {
  return process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
}

export function seededRandom(seed: number): prng.PRNG {
  return prng.create(seed);
}

/** Runs `body`; on failure, rethrows with the seed and how to replay it. */
export async function withSeed(label: string, seed: number, body: (rng: prng.PRNG) => Promise<void>): Promise<void> {
  try {
    await body(seededRandom(seed));
  } catch (err) {
    const message = `${label} failed with SEED=${seed} (replay: SEED=${seed} npx vitest run sync-server/test)`;
    console.error(message);
    if (err instanceof Error) err.message = `${message}\n${err.message}`;
    throw err;
  }
}
