// Who an agent host is: an id kept in its runner's data folder (so a restarted host is the same driver and
// takes back the leases its previous life held), and the workspace it serves (coder sessions of that
// workspace are driven only by it), named by a hash of the workspace's real path.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../runner/secret-files.ts';

export interface HostIdentity {
  hostId: string;
  workspaceId: string;
  workspaceName: string;
}

const HOST_ID_FILE = 'host-id';

export async function loadHostIdentity(dataDir: string, workspace: string): Promise<HostIdentity> {
  await ensurePrivateDir(dataDir);
  const file = join(dataDir, HOST_ID_FILE);
  let hostId = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (!/^[a-z0-9]{8,64}$/.test(hostId)) {
    hostId = randomBytes(8).toString('hex');
    await writePrivateFile(file, `${hostId}\n`);
  }
  const real = await realpath(workspace);
  return { hostId, workspaceId: workspaceIdOf(real), workspaceName: basename(real) };
}

/** A workspace's id: the first 16 hex digits of the SHA-256 of its real path. */
export function workspaceIdOf(realPath: string): string {
  return createHash('sha256').update(realPath).digest('hex').slice(0, 16);
}
