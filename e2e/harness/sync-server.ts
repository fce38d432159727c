// Starts the real sync server in the test process: random port, a temp data dir (embedded
// PGlite), serving the built client. `stop()` closes it and removes the data dir.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyncServer, type SyncServer } from '../../sync-server/src/server/createSyncServer.ts';

export const CLIENT_DIST = fileURLToPath(new URL('../../client/dist', import.meta.url));

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The app URL with the token in the fragment, as the local server hands it out. */
  appUrl: string;
  token: string;
  port: number;
  server: SyncServer;
  /** Stops the server but keeps its data (a later `restart()` serves the same data on the same port). */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and deletes its data. */
  dispose(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) {
    throw new Error(`No built client in ${CLIENT_DIST}: run \`npm run build -w client\` first.`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-e2e-'));
  const token = `e2e-${Math.random().toString(36).slice(2)}`;
  const start = (port: number) =>
    createSyncServer({ dataDir, token, port, host: '127.0.0.1', clientDir: CLIENT_DIST, docIdleMs: 2_000 });
  let server: SyncServer | undefined = await start(0);
  const port = server.port;
  const t: TestServer = {
    url: server.url,
    appUrl: server.appUrl,
    token,
    port,
    server,
    async stop() {
      await server?.close();
      server = undefined;
    },
    async restart() {
      if (server) return;
      server = await start(port);
      t.server = server;
    },
    async dispose() {
      await t.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
