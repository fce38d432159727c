// Host memory: one real host process (as `npm run host` starts it) serving many sessions. `idle` sessions,
// each with `history` earlier turns, get one fast turn the host drives, then sit idle; then `busy` sessions
// stream long answers at once. The host's RSS (/proc/<pid>/status) and V8 heapUsed (memory-probe.mjs, read
// on SIGUSR2) are sampled when it started, with the idle sessions settled, at the peak while the busy ones
// stream, and after they ended and settled.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type HostProcess, startHostProcess } from '@boocode/testkit/host-process';
import { HOST_TEST_TOKEN, type Installation } from '../test/host/host-fixture.ts';
import { ASK, type BenchSession, createSession, queueForHost, turnAnswered, waitFor } from './agent-sessions.ts';

const PROBE = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));
/** The host closes a doc it has no work in once the server stored it and its next inbox scan (1 s) ran. */
const SETTLE_MS = 3000;
const SAMPLE_EVERY_MS = 250;

export interface MemorySample {
  phase: string;
  rssMb: number;
  heapUsedMb: number;
}

export interface MemoryConfig {
  idle: number;
  busy: number;
  history: number;
}

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS from /proc and heapUsed from the probe, read together. */
async function readMemory(host: HostProcess): Promise<{ rss: number; heapUsed: number }> {
  const pid = host.pid();
  if (!pid) throw new Error('the host process is not running');
  const seen = host.output().split('BENCH_MEM ').length;
  process.kill(pid, 'SIGUSR2');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  const deadline = Date.now() + 5000;
  while (host.output().split('BENCH_MEM ').length === seen) {
    if (Date.now() > deadline) throw new Error('the host did not answer the memory probe');
    await sleep(10);
  }
  const line = host.output().split('BENCH_MEM ').at(-1)!.split('\n')[0]!;
  const { heapUsed } = JSON.parse(line) as { heapUsed: number };
  return { rss: rssKb * 1024, heapUsed };
}

async function driveAll(inst: Installation, sessions: BenchSession[], ask: string, timeoutMs: number): Promise<void> {
  const turns = sessions.map((s, i) => queueForHost(inst, s, `${ask} ${i}`));
  await Promise.all(
    sessions.map((s, i) => waitFor(s.doc, () => turnAnswered(s.doc, turns[i]!), timeoutMs, `session ${s.id}`)),
  );
}

export async function hostMemory(inst: Installation, c: MemoryConfig): Promise<MemorySample[]> {
  const host = await startHostProcess(inst.server.url, HOST_TEST_TOKEN, {}, { nodeArgs: ['--import', PROBE] });
  const samples: MemorySample[] = [];
  const record = async (phase: string) => {
    const m = await readMemory(host);
    samples.push({ phase, rssMb: m.rss / MB, heapUsedMb: m.heapUsed / MB });
  };
  const sessions: BenchSession[] = [];
  try {
    await sleep(SETTLE_MS);
    await record('started, no sessions');

    for (let i = 0; i < c.idle; i++) sessions.push(await createSession(inst, `bench: idle ${i}`, c.history));
    await driveAll(inst, sessions, ASK.fast, 120_000);
    await sleep(SETTLE_MS);
    await record(`${c.idle} idle (one turn each, then idle)`);

    const busy: BenchSession[] = [];
    for (let i = 0; i < c.busy; i++) busy.push(await createSession(inst, `bench: busy ${i}`, c.history));
    sessions.push(...busy);
    let peak = { rss: 0, heapUsed: 0 };
    let streaming = true;
    const sampler = (async () => {
      while (streaming) {
        const m = await readMemory(host);
        peak = { rss: Math.max(peak.rss, m.rss), heapUsed: Math.max(peak.heapUsed, m.heapUsed) };
        await sleep(SAMPLE_EVERY_MS);
      }
    })();
    await driveAll(inst, busy, ASK.long, 120_000);
    streaming = false;
    await sampler;
    samples.push({
      phase: `peak, ${c.idle} idle + ${c.busy} streaming`,
      rssMb: peak.rss / MB,
      heapUsedMb: peak.heapUsed / MB,
    });

    await sleep(SETTLE_MS);
    await record(`after, ${c.idle + c.busy} idle`);
  } finally {
    for (const s of sessions) s.handle.release();
    await host.dispose();
  }
  return samples;
}
