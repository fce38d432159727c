// Time per turn of one long scripted session, driven two ways against the same sync server and scripted model:
//  - by the agent host (in this process, as `npm start` runs it): the tab only queues each message
//    (queueTurn, index `queued`) and waits for the answer in its own synced doc;
//  - by a tab: a Node y-websocket client doc running the same AgentEngine with a lease seat that follows
//    the tab's rules (client/src/docs/lease-seat.ts: judge, claim with the server's stored ack, settle),
//    minus the browser (no Web Locks, no rendering).
// Each turn is timed from the message written to the answer done and the run idle in the sender's doc.
import { AgentEngine } from '@boocode/shared/agent/agent-engine';
import { type DriverSeat, realClock } from '@boocode/shared/agent/engine-deps';
import { turnDemand } from '@boocode/shared/agent/turn-demand';
import { getLease } from '@boocode/shared/doc/lease';
import { SPACE_DOC } from '@boocode/shared/doc/names';
import { getRunState, getSessionMeta, listMessages } from '@boocode/shared/doc/session';
import { getSessionEntry } from '@boocode/shared/doc/space';
import { newId } from '@boocode/shared/ids';
import {
  claimLease,
  type HolderProbe,
  isHostDriver,
  LEASE_TIMING,
  LeaseWatch,
} from '@boocode/shared/lease/driver-lease';
import type { HostDoc } from '../src/host/host-docs.ts';
import { hostTurnSetup } from '../src/host/host-turn-setup.ts';
import { startHost } from '../src/host/start-host.ts';
import { HOST_TEST_TOKEN, type Installation } from '../test/host/host-fixture.ts';
import { ASK, type BenchSession, createSession, queueForHost, turnAnswered, waitFor } from './agent-sessions.ts';

const TURN_TIMEOUT_MS = 30_000;

/** Per-turn times (ms) with the agent host driving. */
export async function hostDrivenTurns(inst: Installation, turns: number): Promise<number[]> {
  const logs: string[] = [];
  const host = await startHost({
    serverUrl: inst.server.url,
    token: HOST_TEST_TOKEN,
    runner: { url: inst.runnerUrl, token: inst.runner.token },
    workspace: inst.workspace,
    dataDir: inst.runnerData,
    log: (m) => logs.push(`${new Date().toISOString()} ${m}`),
  });
  const s = await createSession(inst, 'bench: host-driven');
  const space = inst.tab.openDoc(SPACE_DOC);
  const times: number[] = [];
  try {
    for (let i = 1; i <= turns; i++) {
      const start = performance.now();
      const turn = queueForHost(inst, s, `${ASK.fast} ${i}`);
      await waitFor(s.doc, () => turnAnswered(s.doc, turn), TURN_TIMEOUT_MS, `host-driven turn ${i}`).catch((e) => {
        throw new Error(`${e.message}; ${stateInWords(s, host.driving())}\n${logs.join('\n')}`);
      });
      times.push(performance.now() - start);
      // Untimed: the host's own `idle` in the index must arrive before the next message is queued. Written
      // concurrently, the host's `idle` can win over the tab's `queued` (one Y.Map key) and the host, whose
      // inbox is the index, never picks the turn up; a browser tab then drives it itself after its hand-off
      // wait. The bench keeps the two writes in order so it times the host, not that race (see README).
      await waitFor(
        space.doc,
        () => getSessionEntry(space.doc, s.id)?.status === 'idle',
        TURN_TIMEOUT_MS,
        'index idle',
      );
    }
  } finally {
    space.release();
    s.handle.release();
    await host.close();
  }
  return times;
}

/** What the tab's doc says of a turn that did not end, for the error. */
function stateInWords(s: BenchSession, driving: string[]): string {
  const space = s.handle;
  return JSON.stringify({
    run: getRunState(s.doc),
    lease: getLease(s.doc, 'turn'),
    demand: turnDemand(s.doc),
    last: listMessages(s.doc)
      .slice(-2)
      .map((m) => ({ role: m.role, turn: m.turn, status: m.status })),
    hostDriving: driving,
    at: new Date().toISOString(),
    name: space.name,
  });
}

/** Per-turn times (ms) with a Node "tab" driving (no host running). */
export async function tabDrivenTurns(inst: Installation, turns: number): Promise<number[]> {
  const s = await createSession(inst, 'bench: tab-driven');
  const engine = tabEngine(s);
  const times: number[] = [];
  try {
    for (let i = 1; i <= turns; i++) {
      const start = performance.now();
      const { turn, outcome } = await engine.runTurn({ text: `${ASK.fast} ${i}` });
      if (outcome !== 'ok') throw new Error(`tab-driven turn ${i} ended ${outcome}`);
      await waitFor(s.doc, () => turnAnswered(s.doc, turn), TURN_TIMEOUT_MS, `tab-driven turn ${i}`);
      times.push(performance.now() - start);
    }
  } finally {
    s.handle.release();
  }
  return times;
}

/** The engine a tab builds for the session: the same model setup as the host's, so only the driver differs. */
function tabEngine(s: BenchSession): AgentEngine {
  const meta = getSessionMeta(s.doc);
  if (!meta) throw new Error('the bench session has no meta');
  // The runner is not called for a chat session on a keyless model server (modelBaseUrl).
  const setup = hostTurnSetup(meta, s.doc, { url: 'http://127.0.0.1:9', token: 'unused' });
  if (setup instanceof Error) throw setup;
  const driverId = `bench-device/${newId('tab')}`;
  return new AgentEngine(
    {
      doc: s.doc,
      model: setup.client,
      clock: realClock,
      newId: (p) => newId(p),
      driverId,
      seat: tabSeat(s.handle, driverId),
    },
    {
      model: setup.model,
      provider: setup.provider,
      systemPrompt: setup.systemPrompt,
      structuredOutput: setup.structuredOutput,
    },
  );
}

/** The tab's lease seat (lease-seat.ts takeLease) over a Node client doc: no other tabs, no hosts present. */
function tabSeat(handle: HostDoc, driverId: string): DriverSeat {
  const watch = new LeaseWatch(() => Date.now());
  const probe: HolderProbe = (holder) => (isHostDriver(holder) ? 'gone' : undefined);
  return {
    beatMs: LEASE_TIMING.beatMs,
    take: async (doc) => {
      const verdict = watch.judge(`${handle.name}/turn`, getLease(doc, 'turn'), driverId, {
        probe,
        connected: handle.connected(),
      });
      if (verdict !== 'free' && verdict !== 'abandoned' && verdict !== 'mine') return undefined;
      return claimLease(doc, 'turn', {
        holder: driverId,
        clock: realClock,
        timing: LEASE_TIMING,
        ...(handle.connected() ? { whenStored: () => handle.whenStored(3000).then(() => {}) } : {}),
      });
    },
  };
}
