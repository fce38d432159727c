// Per-install secrets on disk (runner token, provider keys): files created with mode 0600 in a
// 0700 directory, so other local users cannot read them.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

export async function writePrivateFile(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file; an older file keeps its mode otherwise.
  await chmod(path, 0o600);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The token from the file in dataDir, creating a random one on first run. */
export async function loadOrCreateToken(dataDir: string): Promise<string> {
  await ensurePrivateDir(dataDir);
  const path = join(dataDir, 'runner-token');
  const existing = (await readIfExists(path))?.trim();
  if (existing && existing.length >= 32) return existing;
  const token = randomBytes(32).toString('base64url');
  await writePrivateFile(path, `${token}\n`);
  return token;
}

export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readIfExists(path);
  return text === undefined ? undefined : JSON.parse(text);
}
