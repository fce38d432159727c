// The spec hash names the work an agent does: SHA-256 of the canonical JSON of its prompt and of
// every option that changes the work. Two calls with the same hash may share one result, so
// presentation-only options (label, phase) are left out; unknown options are kept (safer to re-run).

/** Options that only change how an agent is shown, never what it does. */
export const PRESENTATION_ONLY_OPTIONS: readonly string[] = ['label', 'phase'];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** JSON with object keys sorted at every level and `undefined` members dropped, as JSON.stringify would. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = sortKeys(member);
  }
  return out;
}

/** The part of an agent call that is hashed: the prompt and the options that change the work. */
export function hashedSpec(prompt: string, options: Record<string, unknown>): Record<string, unknown> {
  const spec: Record<string, unknown> = { prompt };
  for (const [key, value] of Object.entries(options)) {
    if (!PRESENTATION_ONLY_OPTIONS.includes(key) && key !== 'prompt') spec[key] = value;
  }
  return spec;
}

// shared/src is checked without DOM or Node types: declare only what is used. Both exist in
// Node 20 and every browser (and in Web Workers).
interface MinimalSubtleCrypto {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
}
interface MinimalGlobals {
  crypto: { subtle: MinimalSubtleCrypto };
  TextEncoder: new () => { encode(input: string): Uint8Array };
}

export async function sha256Hex(text: string): Promise<string> {
  const g = globalThis as unknown as MinimalGlobals;
  const digest = await g.crypto.subtle.digest('SHA-256', new g.TextEncoder().encode(text));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** The spec hash of `agent(prompt, options)`. */
export function specHash(prompt: string, options: Record<string, unknown> = {}): Promise<string> {
  return sha256Hex(canonicalJson(hashedSpec(prompt, options)));
}
