/** In-process servers for tests, on random ports, on a given storage target. */

import type { StorageTarget } from '@boocode/testkit/databases/storage-backends';
import { createSyncServer, type SyncServer, type SyncServerOptions } from '../../src/server/createSyncServer.ts';

export const TEST_TOKEN = 'test-token-0123456789';

export function startServer(target: StorageTarget, extra: Partial<SyncServerOptions> = {}): Promise<SyncServer> {
  return createSyncServer({
    dataDir: target.dataDir,
    databaseUrl: target.databaseUrl,
    token: TEST_TOKEN,
    port: 0,
    ...extra,
  });
}
