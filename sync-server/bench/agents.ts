/**
 * `npm run bench` (or `npm run bench:agents`): the agent host's figures (issue 13), printed as tables.
 *  1. Time per turn of a BENCH_TURNS-turn scripted session driven by the host vs by a tab.
 *  2. Takeover delay after the driving host is SIGKILLed (BENCH_TAKEOVERS rounds), against two beats.
 *  3. Host memory with BENCH_IDLE idle and BENCH_BUSY busy sessions (BENCH_HISTORY earlier turns each).
 * Each part runs on its own installation (sync server with embedded storage, runner, scripted model, all in
 * this process, on temp folders removed at the end). Figures, not a test. Results: bench/README.md.
 */
import { LEASE_TIMING } from '@boocode/shared/lease/driver-lease';
import { type Installation, startInstallation } from '../test/host/host-fixture.ts';
import { hostMemory } from './agent-memory.ts';
import { AGENT_BENCH_SCENARIO, fmt, summarize } from './agent-sessions.ts';
import { takeoverRounds } from './agent-takeover.ts';
import { hostDrivenTurns, tabDrivenTurns } from './agent-turns.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const config = {
  turns: env('BENCH_TURNS', 100),
  takeovers: env('BENCH_TAKEOVERS', 3),
  idle: env('BENCH_IDLE', 50),
  busy: env('BENCH_BUSY', 5),
  history: env('BENCH_HISTORY', 10),
};

async function withInstallation<T>(run: (inst: Installation) => Promise<T>): Promise<T> {
  const inst = await startInstallation([AGENT_BENCH_SCENARIO]);
  try {
    return await run(inst);
  } finally {
    await inst.close();
  }
}

async function turnFigures(): Promise<void> {
  console.log(
    `agent turns: one chat session, ${config.turns} turns, scripted model answering at once (no delays). ` +
      '"host": the in-process agent host drives, the tab only queues each message and waits in its synced doc. ' +
      '"tab": a Node y-websocket client doc runs the AgentEngine itself with the tab lease rules ' +
      '(what a tab does, minus the browser). Server, model and drivers share this process.',
  );
  const host = summarize(await withInstallation((inst) => hostDrivenTurns(inst, config.turns)));
  console.log('  host-driven: done');
  const tab = summarize(await withInstallation((inst) => tabDrivenTurns(inst, config.turns)));
  console.log('  tab-driven: done');
  const row = (driver: string, s: typeof host) => ({
    'driven by': driver,
    turns: s.n,
    'p50 ms': fmt(s.p50),
    'p95 ms': fmt(s.p95),
    'mean ms': fmt(s.mean),
    'p50 ÷ tab p50': fmt(s.p50 / tab.p50, 2),
    'mean ÷ tab mean': fmt(s.mean / tab.mean, 2),
  });
  console.table([row('agent host', host), row('tab (Node)', tab)]);
  console.log(`  each turn includes one lease claim: the server's stored ack + ${LEASE_TIMING.settleMs} ms settle`);
}

async function takeoverFigures(): Promise<void> {
  const target = 2 * LEASE_TIMING.beatMs;
  console.log(
    `takeover: two host processes present, the one driving a slow streaming turn is SIGKILLed, ${config.takeovers} rounds; ` +
      `ms from the kill, seen in a tab's doc (target: claim under two beats = ${target} ms)`,
  );
  const rounds = await withInstallation((inst) => takeoverRounds(inst, config.takeovers));
  console.table(
    rounds.map((r, i) => ({
      round: i + 1,
      'claim ms': fmt(r.claimMs),
      'held ms': fmt(r.heldMs),
      'turn end ms': fmt(r.endMs),
      'claim under 2 beats': r.claimMs < target ? 'yes' : 'no',
    })),
  );
}

async function memoryFigures(): Promise<void> {
  console.log(
    `host memory: one host process, ${config.idle} idle sessions then ${config.busy} streaming at once, ` +
      `${config.history} earlier turns in each`,
  );
  const samples = await withInstallation((inst) => hostMemory(inst, config));
  console.table(
    samples.map((s) => ({ phase: s.phase, 'RSS MB': fmt(s.rssMb, 1), 'heapUsed MB': fmt(s.heapUsedMb, 1) })),
  );
}

async function main() {
  // y-websocket adds one process 'exit' listener per open doc in Node; the tab here holds every bench session.
  process.setMaxListeners(config.idle + config.busy + 20);
  const only = process.env.BENCH_AGENTS?.split(',');
  if (!only || only.includes('turns')) await turnFigures();
  if (!only || only.includes('takeover')) await takeoverFigures();
  if (!only || only.includes('memory')) await memoryFigures();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
