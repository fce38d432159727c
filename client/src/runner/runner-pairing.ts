// Where this device keeps its runner pairing (runner URL + token): the local-only Dexie settings
// table, never a synced doc, because the token is the key to run commands on this machine.
import { parsePairingFragment, type RunnerPairing } from '@boocode/shared/runner/pairing';
import { liveQuery } from 'dexie';
import type { LocalDb } from '../docs/local-db.ts';

const URL_KEY = 'runner.url';
const TOKEN_KEY = 'runner.token';

export async function readRunnerPairing(db: LocalDb): Promise<RunnerPairing | undefined> {
  const [url, token] = await db.settings.bulkGet([URL_KEY, TOKEN_KEY]);
  const runnerUrl = typeof url?.value === 'string' ? url.value.trim() : '';
  const t = typeof token?.value === 'string' ? token.value.trim() : '';
  return runnerUrl && t ? { runnerUrl, token: t } : undefined;
}

export async function writeRunnerPairing(db: LocalDb, pairing: { runnerUrl: string; token: string }): Promise<void> {
  await db.settings.bulkPut([
    { key: URL_KEY, value: pairing.runnerUrl.trim() },
    { key: TOKEN_KEY, value: pairing.token.trim() },
  ]);
}

export function observeRunnerPairing(db: LocalDb, onChange: (p: RunnerPairing | undefined) => void): () => void {
  const sub = liveQuery(() => readRunnerPairing(db)).subscribe({ next: onChange, error: () => {} });
  return () => sub.unsubscribe();
}

/**
 * `npm start` opens the app as `#runner=<url>&token=<token>`: keep the pairing on this device and
 * take the fragment out of the address bar. Returns true when the hash was a runner pairing.
 */
export async function adoptRunnerPairingFromHash(db: LocalDb, hash: string): Promise<boolean> {
  const pairing = parsePairingFragment(hash);
  if (!pairing) return false;
  await writeRunnerPairing(db, pairing);
  return true;
}
