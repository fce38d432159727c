/**
 * Fan-out benchmark: N clients spread over M docs, each sending small updates at a fixed rate;
 * every other client of the doc records the delivery latency. Clients run in this process, the
 * server in another (peerServer.ts), as in FINDINGS.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HocuspocusProvider } from '@hocuspocus/provider';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { BENCH_TOKEN } from './benchToken.ts';

export type ServerKind = 'boocode' | 'boocode-pg' | 'y-websocket' | 'hocuspocus';

export interface FanoutConfig {
  clients: number;
  docs: number;
  /** Updates per second per client. */
  rate: number;
  seconds: number;
}

export interface FanoutResult {
  kind: ServerKind;
  sentPerSecond: number;
  deliveriesPerSecond: number;
  expectedDeliveries: number;
  deliveries: number;
  p50: number;
  p99: number;
  /** Server CPU time (all threads) per update sent, in microseconds, over the measuring window. */
  serverCpuPerUpdateUs: number;
}

interface BenchClient {
  doc: Y.Doc;
  destroy(): void;
  synced(): boolean;
}

const PEER = fileURLToPath(new URL('./peerServer.ts', import.meta.url));

interface Peer {
  port: number;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

async function startPeer(kind: ServerKind): Promise<Peer> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []),
      '--import',
      'tsx',
      PEER,
      kind,
    ],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /PORT=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    port,
    cpuMicros: () =>
      new Promise((resolve) => {
        child.once('message', (msg: { cpu: number }) => resolve(msg.cpu));
        child.send('cpu');
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

function connect(kind: ServerKind, port: number, docName: string): BenchClient {
  const doc = new Y.Doc();
  if (kind === 'hocuspocus') {
    const provider = new HocuspocusProvider({
      url: `ws://127.0.0.1:${port}`,
      name: docName,
      document: doc,
      WebSocketPolyfill: WebSocket,
    } as ConstructorParameters<typeof HocuspocusProvider>[0]);
    return { doc, destroy: () => provider.destroy(), synced: () => provider.isSynced };
  }
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/yjs`, docName, doc, {
    params: { token: BENCH_TOKEN },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  return { doc, destroy: () => provider.destroy(), synced: () => provider.synced };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runFanout(kind: ServerKind, cfg: FanoutConfig): Promise<FanoutResult> {
  const peer = await startPeer(kind);
  const clients: BenchClient[] = [];
  const latencies: number[] = [];
  let measuringFrom = Number.POSITIVE_INFINITY;
  // Send times per client, by sequence number: a client's key holds the number of its latest update. A server
  // that sends a commit's updates of a doc as one frame delivers an overwritten value together with the one
  // that overwrote it, so a receiver counts every number up to the one it sees, each timed from its own send.
  const sentAt: number[][] = Array.from({ length: cfg.clients }, () => []);
  try {
    for (let i = 0; i < cfg.clients; i++) {
      const c = connect(kind, peer.port, `bench-${i % cfg.docs}`);
      const me = String(i);
      const seen = new Map<string, number>();
      c.doc.getMap<number>('m').observe((event) => {
        const now = performance.now();
        for (const key of event.keysChanged) {
          if (key === me) continue;
          const seq = c.doc.getMap<number>('m').get(key);
          if (seq === undefined) continue;
          const times = sentAt[Number(key)]!;
          for (let s = (seen.get(key) ?? -1) + 1; s <= seq; s++) {
            const at = times[s];
            if (at !== undefined && at >= measuringFrom) latencies.push(now - at);
          }
          seen.set(key, Math.max(seen.get(key) ?? -1, seq));
        }
      });
      clients.push(c);
    }
    const deadline = Date.now() + 30_000;
    while (!clients.every((c) => c.synced())) {
      if (Date.now() > deadline) throw new Error(`${kind}: clients did not sync`);
      await new Promise((r) => setTimeout(r, 20));
    }
    latencies.length = 0;
    measuringFrom = performance.now();
    const cpuBefore = await peer.cpuMicros();
    let sent = 0;
    const perDoc = cfg.clients / cfg.docs;
    const started = performance.now();
    const timers = clients.map((c, i) =>
      setInterval(() => {
        // Each update overwrites this client's key with its sequence number: small, constant-size doc.
        const times = sentAt[i]!;
        times.push(performance.now());
        c.doc.getMap<number>('m').set(String(i), times.length - 1);
        sent++;
      }, 1000 / cfg.rate),
    );
    await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
    for (const t of timers) clearInterval(t);
    const elapsed = (performance.now() - started) / 1000;
    const expected = sent * (perDoc - 1);
    // Drain: wait (bounded) for deliveries still in flight.
    const drainUntil = Date.now() + 10_000;
    while (latencies.length < expected && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
    const cpuAfter = await peer.cpuMicros();
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      kind,
      sentPerSecond: sent / elapsed,
      deliveriesPerSecond: latencies.length / elapsed,
      expectedDeliveries: expected,
      deliveries: latencies.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      serverCpuPerUpdateUs: (cpuAfter - cpuBefore) / sent,
    };
  } finally {
    for (const c of clients) c.destroy();
    await peer.stop();
  }
}
