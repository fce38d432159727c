// kill -9 of a real agent host process mid-answer, then the same host started again: the turn resumes once
// (the cut call is made one more time, never twice), ends with one whole answer, and the trace says the
// partial answer was dropped.
import { getLease } from '@boocode/shared/doc/lease';
import { getRunState, listMessages } from '@boocode/shared/doc/session';
import { listSpans } from '@boocode/shared/doc/spans';
import { waitForDoc } from '@boocode/testkit/engine-harness';
import { type HostProcess, startHostProcess } from '@boocode/testkit/host-process';
import { afterEach, expect, it } from 'vitest';
import { HOST_TEST_TOKEN, type Installation, startInstallation } from './host-fixture.ts';

let inst: Installation | undefined;
let host: HostProcess | undefined;
afterEach(async () => {
  await host?.dispose();
  host = undefined;
  await inst?.close();
  inst = undefined;
});

it('kill -9 the host mid-turn and start it again: the turn resumes once and ends whole', async () => {
  inst = await startInstallation(['demo']);
  host = await startHostProcess(inst.server.url, HOST_TEST_TOKEN);
  const { doc } = await inst.queueSession('answer slowly please');
  await waitForDoc(doc, (d) => (listMessages(d).find((m) => m.role === 'assistant')?.text.length ?? 0) > 20, 30_000);
  const holder = getLease(doc, 'turn')?.holder;
  expect(holder).toMatch(/^host:/);
  await host.kill('SIGKILL');
  const callsAtKill = inst.model.chatCalls().length;
  expect(callsAtKill).toBe(1);

  await host.restart();
  // The host lets the lease go once the server has stored the turn's end, a moment after it is idle.
  await waitForDoc(
    doc,
    (d) =>
      getRunState(d).status === 'idle' &&
      listMessages(d).at(-1)?.status === 'done' &&
      getLease(d, 'turn')?.state === 'released',
    60_000,
  );
  const answers = listMessages(doc).filter((m) => m.role === 'assistant');
  expect(answers).toHaveLength(1);
  expect(answers[0]?.text).toMatch(/^This answer streams slowly.*without repeating a word\.$/);
  // Once more, not twice more: the restarted host (the same id) took its turn back and re-asked one time.
  expect(inst.model.chatCalls()).toHaveLength(2);
  const [cut, whole] = listSpans(doc).filter((s) => s.kind === 'model');
  expect(cut?.status).toBe('interrupted');
  expect(cut?.error?.message).toMatch(/characters streamed so far were dropped/);
  expect(whole?.status).toBe('ok');
  expect(getLease(doc, 'turn')).toMatchObject({ holder, state: 'released' });
}, 150_000);
