// Pairing a tab with the local runner: `npm start` prints the app URL with the runner's address
// and token in the fragment (never sent to a server, not in history requests); the client reads
// it once, keeps it in local-only storage (never a synced doc) and clears the fragment.
export interface RunnerPairing {
  runnerUrl: string;
  token: string;
}

/**
 * The app URL with the runner pairing added to its fragment. An app URL that already carries the sync
 * server's `#token=` keeps it, and the runner's token goes in `runnerToken` so one URL pairs both.
 */
export function pairingUrl(appUrl: string, pairing: RunnerPairing): string {
  const [base, fragment = ''] = appUrl.split('#');
  const runner = `runner=${encodeURIComponent(pairing.runnerUrl)}`;
  if (/(^|&)token=/.test(fragment)) {
    return `${base}#${fragment}&${runner}&runnerToken=${encodeURIComponent(pairing.token)}`;
  }
  return `${base}#${runner}&token=${encodeURIComponent(pairing.token)}`;
}

/**
 * Reads a pairing from a location hash (`#runner=...&token=...`, or `#token=<sync>&runner=...&runnerToken=...`
 * as `npm start` prints it); undefined if it has none.
 */
export function parsePairingFragment(hash: string): RunnerPairing | undefined {
  const fields = new Map<string, string>();
  for (const part of hash.replace(/^#/, '').split('&')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    try {
      fields.set(part.slice(0, at), decodeURIComponent(part.slice(at + 1)));
    } catch {
      return undefined;
    }
  }
  const runnerUrl = fields.get('runner');
  const token = fields.get('runnerToken') ?? fields.get('token');
  if (!runnerUrl || !token || !/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(runnerUrl)) return undefined;
  return { runnerUrl, token };
}
