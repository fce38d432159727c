/**
 * Runs the embedded Postgres (PGlite) and its socket server on a worker thread, so its WebAssembly
 * work does not block the server's event loop. Plain JS: worker threads load it without a TS loader.
 * It listens only on the unix socket `workerData.socketPath` (in a 0700 folder): never on TCP.
 * Messages: posts { type: 'ready', conn } or { type: 'error', message }; on { type: 'close' } stops
 * the socket, closes the database (flushing it to disk) and posts { type: 'closed' }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

if (!parentPort) throw new Error('embeddedDatabaseWorker must run as a worker thread');
const port = parentPort;

try {
  // A module precompiled by the parent (structured-cloned into this thread) skips a second compile.
  const db = await PGlite.create(
    workerData.pgdata,
    workerData.wasmModule ? { pgliteWasmModule: workerData.wasmModule } : {},
  );
  const server = new PGLiteSocketServer({ db, path: workerData.socketPath });
  await server.start();
  port.on('message', async (msg) => {
    if (msg?.type !== 'close') return;
    try {
      await server.stop();
      await db.close();
      port.postMessage({ type: 'closed' });
    } catch (err) {
      port.postMessage({ type: 'closed', error: String(err) });
    }
  });
  port.postMessage({ type: 'ready', conn: server.getServerConn() });
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
