/**
 * `npm run bench`: fan-out (BooCode vs @y/websocket-server vs hocuspocus) and persistence
 * (group commit vs one insert per update) figures, printed as tables. Figures, not a test.
 * `BENCH_PARTS=fanout,persistence,search` picks parts, `BENCH_SERVERS=boocode,...` the fan-out servers.
 */
import { type FanoutConfig, type FanoutResult, runFanout, type ServerKind } from './fanout.ts';
import { type PersistenceResult, runPersistence } from './persistence.ts';
import { runSpanSearchBench } from './span-search.ts';

const config: FanoutConfig = {
  clients: Number(process.env.BENCH_CLIENTS ?? 40),
  docs: Number(process.env.BENCH_DOCS ?? 10),
  rate: Number(process.env.BENCH_RATE ?? 100),
  seconds: Number(process.env.BENCH_SECONDS ?? 6),
};
const databaseUrl = process.env.DATABASE_URL || undefined;
const parts = (process.env.BENCH_PARTS ?? 'fanout,persistence,search').split(',');
const persistence = {
  updates: Number(process.env.BENCH_PERSIST_UPDATES ?? 4000),
  writers: Number(process.env.BENCH_PERSIST_WRITERS ?? 50),
  /** One run per entry: all writers on one doc, then spread over 10 (the fan-out's shape). */
  docs: (process.env.BENCH_PERSIST_DOCS ?? '1,10').split(',').map(Number),
};

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

async function main() {
  if (parts.includes('fanout')) await fanout();
  if (parts.includes('persistence')) await persistenceTables();
  if (parts.includes('search')) await searchTable();
}

async function searchTable() {
  const cfg = {
    sessions: Number(process.env.BENCH_SEARCH_SESSIONS ?? 1000),
    spansPerSession: Number(process.env.BENCH_SEARCH_SPANS ?? 20),
    runs: Number(process.env.BENCH_SEARCH_RUNS ?? 7),
  };
  const r = await runSpanSearchBench(cfg);
  console.log(
    `search across sessions (embedded storage): ${cfg.sessions} sessions, ${r.rows} spans (projected in ${fmt(r.projectMs / 1000, 1)} s); median and max of ${cfg.runs} runs after one warm-up; goal < 200 ms`,
  );
  console.table(
    r.timings.map((t) => ({
      query: t.query,
      hits: t.hits,
      'median ms': fmt(t.medianMs, 1),
      'max ms': fmt(t.maxMs, 1),
      'under 200 ms': t.medianMs < 200 ? 'yes' : 'NO',
    })),
  );
}

async function fanout() {
  console.log(
    `fan-out: ${config.clients} clients on ${config.docs} docs, ${config.rate} updates/s each, ${config.seconds} s (clients in this process, server in another)`,
  );
  const all: ServerKind[] = ['boocode', ...(databaseUrl ? (['boocode-pg'] as const) : []), 'y-websocket', 'hocuspocus'];
  const picked = process.env.BENCH_SERVERS?.split(',');
  const kinds = picked ? all.filter((k) => picked.includes(k)) : all;
  const results: FanoutResult[] = [];
  for (const kind of kinds) {
    const r = await runFanout(kind, config);
    results.push(r);
    console.log(`  ${kind}: done`);
  }
  const base = results[0]!;
  console.table(
    results.map((r) => ({
      server: r.kind,
      'stores before broadcast': r.kind.startsWith('boocode') ? 'yes' : 'no (memory)',
      'updates/s sent': fmt(r.sentPerSecond),
      'deliveries/s': fmt(r.deliveriesPerSecond),
      delivered: `${r.deliveries}/${r.expectedDeliveries}`,
      'p50 ms': fmt(r.p50, 1),
      'p99 ms': fmt(r.p99, 1),
      'server CPU µs/update': fmt(r.serverCpuPerUpdateUs),
      'boocode deliveries/s ÷ this': fmt(base.deliveriesPerSecond / r.deliveriesPerSecond, 2),
      'this p99 ÷ boocode p99': fmt(r.p99 / base.p99, 2),
      'boocode CPU ÷ this': fmt(base.serverCpuPerUpdateUs / r.serverCpuPerUpdateUs, 1),
    })),
  );
}

async function persistenceTables() {
  const { updates, writers } = persistence;
  console.log(`persistence: ${updates} small updates from ${writers} concurrent writers`);
  const results: (PersistenceResult & { docs: number })[] = [];
  for (const docs of persistence.docs) {
    for (const url of databaseUrl ? [undefined, databaseUrl] : [undefined]) {
      results.push({ docs, ...(await runPersistence(url, { updates, writers, docs })) });
    }
  }
  console.table(
    results.map((p) => ({
      storage: p.storage,
      docs: p.docs,
      'group commit updates/s': fmt(p.groupCommitPerSecond),
      'one insert per update, updates/s': fmt(p.singleInsertPerSecond),
      ratio: fmt(p.groupCommitPerSecond / p.singleInsertPerSecond, 1),
      'group commit CPU µs/update': fmt(p.groupCommitCpuPerUpdateUs),
      '+ postgres server CPU µs/update': fmt(p.groupCommitServerCpuPerUpdateUs),
      'rows/update': fmt(p.rowsPerUpdate, 3),
    })),
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
