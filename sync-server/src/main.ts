/** Starts the sync server from the environment; SIGTERM/SIGINT stop it after flushing pending writes. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyncServer } from './server/createSyncServer.ts';

const server = await createSyncServer({
  port: Number(process.env.PORT ?? 8787),
  host: process.env.HOST ?? '127.0.0.1',
  dataDir: resolve(process.env.BOOCODE_DATA_DIR ?? '.boocode-data'),
  databaseUrl: process.env.DATABASE_URL || undefined,
  token: process.env.BOOCODE_TOKEN || undefined,
  clientDir: fileURLToPath(new URL('../../client/dist', import.meta.url)),
});
console.log(`BooCode is running (${server.storage} storage): ${server.appUrl}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (err: Error) => {
        console.error('[sync-server] shutdown failed:', err);
        process.exit(1);
      },
    );
  });
}
