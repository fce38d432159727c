/**
 * The server whose cold start `cold-start.ts` times, in its own process (so the start includes loading
 * the code and PGlite's WebAssembly, as `npm start` does): prints `PORT=<n>` once it listens, then
 * `BACKFILL=<ms>` when the start-up backfill of the read models ends; runs until SIGTERM.
 * Env: BENCH_DATA_DIR (data folder), BENCH_DATABASE_URL (optional: real Postgres).
 */
import { createSyncServer } from '../src/server/createSyncServer.ts';
import { BENCH_TOKEN } from './benchToken.ts';

const server = await createSyncServer({
  dataDir: process.env.BENCH_DATA_DIR ?? '',
  databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
  token: BENCH_TOKEN,
  port: 0,
  backfill: { log: () => {} },
});
console.log(`PORT=${server.port}`);
void server.backfill.then((r) => console.log(`BACKFILL=${r ? r.ms : -1} candidates=${r?.candidates ?? -1}`));
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
