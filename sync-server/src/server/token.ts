/**
 * The per-install access token: from BOOCODE_TOKEN, or generated once and kept in the data folder
 * (which the caller has made: 0700) as a 0600 file.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const TOKEN_FILE = 'token';

export async function resolveToken(dataDir: string, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const file = join(dataDir, TOKEN_FILE);
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing?.trim()) {
    // A token file an older version wrote, or a copy, may be readable by others: it is a password.
    await chmod(file, 0o600);
    return existing.trim();
  }
  const token = randomBytes(24).toString('base64url');
  try {
    // 'wx': if another process created it first, keep theirs.
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(file, 'utf8')).trim();
  }
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** The token of a request: `Authorization: Bearer <token>` or `?token=`. */
export function tokenOfRequest(
  headers: Record<string, string | string[] | undefined>,
  query: URLSearchParams,
): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  return query.get('token');
}
