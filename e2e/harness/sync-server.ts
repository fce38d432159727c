// Starts the real sync server in the test process: random port, a temp data dir (embedded
// PGlite), serving a copy of the built client. `dispose()` closes it and removes both.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyncServer, type SyncServer } from '../../sync-server/src/server/createSyncServer.ts';
import { type NextBuild, publishNextBuild } from './next-build.ts';

export const CLIENT_DIST = fileURLToPath(new URL('../../client/dist', import.meta.url));

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The app URL with the token in the fragment, as the local server hands it out. */
  appUrl: string;
  token: string;
  port: number;
  /** The folder the server serves the app from: a copy of client/dist that a test may change. */
  clientDir: string;
  /**
   * Deploys the next build in place of the served one: a new build id, changed files under new
   * hashed names (the old ones gone) and a new service worker precaching them.
   */
  publishNewVersion(): Promise<NextBuild>;
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
  const root = await mkdtemp(join(tmpdir(), 'boocode-e2e-'));
  const dataDir = join(root, 'data');
  const clientDir = join(root, 'client');
  await mkdir(dataDir);
  await cp(CLIENT_DIST, clientDir, { recursive: true });
  const token = `e2e-${Math.random().toString(36).slice(2)}`;
  const start = (port: number) =>
    createSyncServer({ dataDir, token, port, host: '127.0.0.1', clientDir, docIdleMs: 2_000 });
  let server: SyncServer | undefined = await start(0);
  const port = server.port;
  const t: TestServer = {
    url: server.url,
    appUrl: server.appUrl,
    token,
    port,
    clientDir,
    server,
    publishNewVersion: () => publishNextBuild(clientDir),
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
      await rm(root, { recursive: true, force: true });
    },
  };
  return t;
}
