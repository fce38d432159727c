/**
 * Where the embedded database listens: a unix socket named as Postgres names its own
 * (`<folder>/.s.PGSQL.<port>`, so `pg` connects with host=<folder>), in a 0700 folder of the data
 * folder. No TCP port: only this user can reach the database.
 */
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preparePrivateFolder } from './data-folder.ts';

/** The port number only names the socket file; nothing listens on TCP. */
const SOCKET_PORT = 5432;
/** sockaddr_un holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

export interface EmbeddedSocket {
  /** The socket file. */
  path: string;
  /** `pg`'s host (the socket's folder) and port. */
  host: string;
  port: number;
  /** Removes a fallback folder made outside the data folder. */
  cleanup(): Promise<void>;
}

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
  constructor(readonly socketPath: string) {
    super(`Another BooCode server is using this data folder (its database answers at ${socketPath}); stop it first`);
  }
}

const socketIn = (dir: string) => join(dir, `.s.PGSQL.${SOCKET_PORT}`);
const fits = (path: string) => Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;

/** Prepares the socket's folder and clears a socket file a crashed server left behind. */
export async function prepareEmbeddedSocket(dataDir: string): Promise<EmbeddedSocket> {
  const runDir = join(dataDir, 'run');
  await preparePrivateFolder(runDir);
  let host = runDir;
  let cleanup = async () => {};
  if (!fits(socketIn(runDir))) {
    // A deep data folder: a fresh folder of our own in the temp dir (mkdtemp makes it 0700).
    host = await mkdtemp(join(tmpdir(), 'boocode-db-'));
    const made = host;
    cleanup = () => rm(made, { recursive: true, force: true });
    if (!fits(socketIn(host))) {
      await cleanup();
      throw new Error(
        `The embedded database's socket path ${socketIn(runDir)} is longer than ${MAX_SOCKET_PATH_BYTES} bytes, and so is ${socketIn(host)}: set BOOCODE_DATA_DIR or TMPDIR to a shorter path`,
      );
    }
  }
  const path = socketIn(host);
  await clearStaleSocket(path);
  return { path, host, port: SOCKET_PORT, cleanup };
}

/** A socket file nobody answers on is a crash's leftover; one that answers is a running server. */
async function clearStaleSocket(path: string): Promise<void> {
  const answer = await new Promise<string | null>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(null);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'ERROR'));
  });
  if (answer === null) throw new DatabaseInUseError(path);
  if (answer === 'ENOENT') return;
  if (answer !== 'ECONNREFUSED') throw new Error(`Cannot check the database socket ${path} (${answer})`);
  await unlink(path);
}
