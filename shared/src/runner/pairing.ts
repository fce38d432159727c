// Pairing a tab with the local runner: `npm start` prints the app URL with the runner's address
// and token in the fragment (never sent to a server, not in history requests); the client reads
// it once, keeps it in local-only storage (never a synced doc) and clears the fragment.
export interface RunnerPairing {
  runnerUrl: string;
  token: string;
}

export function pairingUrl(appUrl: string, pairing: RunnerPairing): string {
  const base = appUrl.split('#')[0];
  return `${base}#runner=${encodeURIComponent(pairing.runnerUrl)}&token=${encodeURIComponent(pairing.token)}`;
}

/** Reads a pairing from a location hash (`#runner=...&token=...`); undefined if it has none. */
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
  const token = fields.get('token');
  if (!runnerUrl || !token || !/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(runnerUrl)) return undefined;
  return { runnerUrl, token };
}
