// Takeover after a host is killed: two real host processes (as `npm run host` starts them) are present; a slow
// turn is queued, one of them claims it and streams; once it has streamed, that process is SIGKILLed and the
// other one takes the turn over by the lease rules. Timed from the kill, as a tab sees it in its synced doc: the
// first write naming the new holder (its claim), the claim held (after the server's stored ack and the settle),
// and the turn's end (the answer asked for again and streamed whole). The killed host is restarted for the next
// round, so each round starts with two hosts present.
import { getLease } from '@boocode/shared/doc/lease';
import { SPACE_DOC } from '@boocode/shared/doc/names';
import { hostDriverId } from '@boocode/shared/lease/driver-lease';
import { type HostProcess, startHostProcess } from '@boocode/testkit/host-process';
import { HOST_TEST_TOKEN, type Installation } from '../test/host/host-fixture.ts';
import {
  ASK,
  assistantChars,
  createSession,
  queueForHost,
  turnAnswered,
  waitFor,
  waitForHosts,
} from './agent-sessions.ts';

export interface TakeoverRound {
  /** Kill to the first write naming another holder. */
  claimMs: number;
  /** Kill to that holder's lease `held`. */
  heldMs: number;
  /** Kill to the turn's end (idle, whole answer). */
  endMs: number;
}

function hostIdOf(p: HostProcess): string {
  const id = /Agent host (\S+) is driving/.exec(p.output())?.[1];
  if (!id) throw new Error(`a host process did not say its id:\n${p.output()}`);
  return id;
}

export async function takeoverRounds(inst: Installation, rounds: number): Promise<TakeoverRound[]> {
  const hosts = [
    await startHostProcess(inst.server.url, HOST_TEST_TOKEN),
    await startHostProcess(inst.server.url, HOST_TEST_TOKEN),
  ];
  const ids = hosts.map(hostIdOf);
  const space = inst.tab.openDoc(SPACE_DOC);
  await space.whenSynced;
  const results: TakeoverRound[] = [];
  try {
    for (let r = 1; r <= rounds; r++) {
      await waitForHosts(space, ids, 30_000);
      const s = await createSession(inst, `bench: takeover ${r}`);
      const turn = queueForHost(inst, s, `${ASK.slow} ${r}`);
      await waitFor(
        s.doc,
        () => getLease(s.doc, 'turn')?.state === 'held' && assistantChars(s.doc) > 20,
        30_000,
        `round ${r}: a host streaming the slow answer`,
      );
      const victimHolder = getLease(s.doc, 'turn')?.holder;
      const victim = hosts[ids.findIndex((id) => hostDriverId(id) === victimHolder)];
      if (!victim) throw new Error(`round ${r}: the turn is held by ${victimHolder}, not by a bench host`);

      let claimAt: number | undefined;
      let heldAt: number | undefined;
      const onChange = () => {
        const lease = getLease(s.doc, 'turn');
        if (!lease || lease.holder === victimHolder) return;
        claimAt ??= performance.now();
        if (lease.state === 'held') heldAt ??= performance.now();
      };
      s.doc.on('afterTransaction', onChange);
      const killedAt = performance.now();
      await victim.kill('SIGKILL');
      await waitFor(s.doc, () => turnAnswered(s.doc, turn), 60_000, `round ${r}: the turn's end after the kill`);
      const endedAt = performance.now();
      s.doc.off('afterTransaction', onChange);
      results.push({
        claimMs: (claimAt ?? Number.NaN) - killedAt,
        heldMs: (heldAt ?? Number.NaN) - killedAt,
        endMs: endedAt - killedAt,
      });
      s.handle.release();
      await victim.restart();
      console.log(`  takeover round ${r}: done`);
    }
  } finally {
    space.release();
    await Promise.all(hosts.map((h) => h.dispose()));
  }
  return results;
}
