/**
 * One server under benchmark, in its own process: `tsx peerServer.ts <kind>` prints `PORT=<n>`
 * and runs until SIGTERM. Kinds: boocode (embedded storage), boocode-pg (DATABASE_URL),
 * y-websocket (@y/websocket-server 0.1.1, memory only), hocuspocus (@hocuspocus/server 3.4.4, memory only).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as HocuspocusServer } from '@hocuspocus/server';
import { setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer } from 'ws';
import { createSyncServer } from '../src/server/createSyncServer.ts';

import { BENCH_TOKEN } from './benchToken.ts';

const kind = process.argv[2];
let stop: () => Promise<void>;

if (kind === 'boocode' || kind === 'boocode-pg') {
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-bench-'));
  const server = await createSyncServer({
    dataDir,
    databaseUrl: kind === 'boocode-pg' ? process.env.DATABASE_URL : undefined,
    token: BENCH_TOKEN,
    port: 0,
    compactAfterUpdates: process.env.BENCH_COMPACT_AFTER ? Number(process.env.BENCH_COMPACT_AFTER) : undefined,
  });
  console.log(`PORT=${server.port}`);
  stop = async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  };
} else if (kind === 'y-websocket') {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', setupWSConnection);
  const server = http.createServer((_req, res) => res.end('okay'));
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  console.log(`PORT=${typeof address === 'object' && address ? address.port : 0}`);
  stop = async () => {
    server.close();
  };
} else if (kind === 'hocuspocus') {
  const server = new HocuspocusServer({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false });
  await server.listen();
  console.log(`PORT=${server.address.port}`);
  stop = () => server.destroy();
} else {
  throw new Error(`unknown server kind ${kind}`);
}

// The benchmark asks for CPU time (all threads, µs) at the start and end of its measuring window.
process.on('message', (msg) => {
  if (msg === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  }
});

process.on('SIGTERM', () => {
  stop().then(() => process.exit(0));
});
