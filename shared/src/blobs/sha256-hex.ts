// SHA-256 of a blob's bytes as lowercase hex: the blob's name everywhere (Dexie, Postgres, URLs, docs).
// WebCrypto exists in browsers, workers and Node 20 alike; its types are declared here because shared/
// compiles without DOM or Node types.

interface SubtleDigest {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
}

export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

function subtle(): SubtleDigest {
  const s = (globalThis as { crypto?: { subtle?: SubtleDigest } }).crypto?.subtle;
  if (!s) throw new Error('WebCrypto (crypto.subtle) is not available: a secure context is required');
  return s;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
