// Hooks on the agent host, against a real sync server, runner and scripted model: a workspace hooks.json with
// POSTs to a server this test runs and commands through the runner's rules. A turn's end fires each hook once
// with two hosts and two tabs connected, and again only for the next turn after the driving host restarts; a
// hook that hangs is cut off at its limit and a failing one is logged, and the turn completes either way. A
// hooks file that does not parse is reported with its line.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { queueTurn } from '@boocode/shared/agent/agent-engine';
import { realClock } from '@boocode/shared/agent/engine-deps';
import { listSubagentRecords } from '@boocode/shared/agent/subagents/subagent-records';
import { getHookFiring, getHooksStatus, listHookFirings } from '@boocode/shared/doc/hook-log';
import { SPACE_DOC, sessionDocName, workflowRunDocName } from '@boocode/shared/doc/names';
import { getRunState, listMessages } from '@boocode/shared/doc/session';
import { updateSessionEntry } from '@boocode/shared/doc/space';
import { answerSpanApproval, listAwaitingApprovals } from '@boocode/shared/doc/spans';
import { initWorkflowRun } from '@boocode/shared/doc/workflow-run';
import { HOOK_EVENTS } from '@boocode/shared/hooks/hook-config';
import { newId } from '@boocode/shared/ids';
import { createRunnerClient } from '@boocode/shared/runner/runner-http-client';
import { waitForDoc } from '@boocode/testkit/engine-harness';
import { afterEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { HookPayload } from '../../src/host/hook-runner.ts';
import { HostDocs } from '../../src/host/host-docs.ts';
import { loadHostIdentity } from '../../src/host/host-identity.ts';
import { startHost } from '../../src/host/start-host.ts';
import { HOST_TEST_TOKEN, type Installation, startInstallation } from './host-fixture.ts';

type Host = Awaited<ReturnType<typeof startHost>>;
let inst: Installation | undefined;
const hosts: Host[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  for (const c of cleanups.splice(0).reverse()) await c();
  await inst?.close();
  inst = undefined;
});

async function startTestHost(i: Installation, dataDir: string, log: string[] = []): Promise<Host> {
  const host = await startHost({
    serverUrl: i.server.url,
    token: HOST_TEST_TOKEN,
    runner: { url: i.runnerUrl, token: i.runner.token },
    workspace: i.workspace,
    dataDir,
    log: (m) => {
      log.push(m);
      if (process.env.DEBUG_HOST) console.log(`[host ${dataDir}] ${m}`);
    },
  });
  hosts.push(host);
  return host;
}

async function stopHost(host: Host): Promise<void> {
  hosts.splice(hosts.indexOf(host), 1);
  await host.close();
}

/** The hooks' far end: records every POST; `/hang` never answers, `/fail` answers 500. */
async function startHookServer(): Promise<{ url: string; posts: Array<{ path: string; body: HookPayload }> }> {
  const posts: Array<{ path: string; body: HookPayload }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(text) as HookPayload });
      if (req.url === '/hang') return;
      res.writeHead(req.url === '/fail' ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts };
}

async function writeWorkspaceHooks(i: Installation, hooks: unknown[]): Promise<void> {
  await mkdir(join(i.workspace, '.boocode'), { recursive: true });
  await writeFile(join(i.workspace, '.boocode', 'hooks.json'), JSON.stringify({ hooks }, null, 2));
}

function queueNextTurn(i: Installation, id: string, doc: Y.Doc, text: string): void {
  queueTurn(doc, { text }, { clock: realClock, newId: (p) => newId(p) });
  const space = i.tab.openDoc(SPACE_DOC);
  updateSessionEntry(space.doc, id, { status: 'queued', updatedAt: Date.now() });
  space.release();
}

const turnDone = (turn: number) => (d: Y.Doc) =>
  getRunState(d).status === 'idle' &&
  listMessages(d).some((m) => m.role === 'assistant' && m.turn === turn && m.status === 'done');

describe('agent host: hooks', () => {
  it('fires each turn.done hook once with two hosts and two tabs, cuts off a hanging one, logs failures, and fires nothing again after a restart', async () => {
    inst = await startInstallation();
    const far = await startHookServer();
    const appended = join(inst.root, 'appended.txt');
    const appendScript = join(inst.root, 'append.mjs');
    await writeFile(
      appendScript,
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(appended)}, process.argv.slice(2).join(' ') + '\\n');\n`,
    );
    const hangScript = join(inst.root, 'hang.mjs');
    await writeFile(hangScript, 'setInterval(() => {}, 1000);\n');
    const node = process.execPath;
    await createRunnerClient({ runnerUrl: inst.runnerUrl, token: inst.runner.token }).putRules([
      { effect: 'allow', tool: 'run_command', command: `${node} *` },
      { effect: 'deny', tool: 'run_command', command: 'rm *' },
    ]);
    await writeWorkspaceHooks(inst, [
      { on: 'turn.done', post: `${far.url}/ok` },
      { on: ['turn.done', 'subagent.done'], run: `${node} ${appendScript} {event} {id}` },
      { on: 'turn.done', post: `${far.url}/hang`, timeoutMs: 300 },
      { on: 'turn.done', post: `${far.url}/fail` },
      { on: 'turn.done', run: `${node} ${hangScript}`, timeoutMs: 500 },
      { on: 'turn.done', run: 'rm -rf nothing-here' },
      { on: 'turn.done', run: 'touch needs-asking' },
    ]);
    const dirA = inst.runnerData;
    const dirB = join(inst.root, 'runner-b');
    const logA: string[] = [];
    const a = await startTestHost(inst, dirA, logA);
    const b = await startTestHost(inst, dirB);
    const tab2 = new HostDocs({
      serverUrl: inst.server.url,
      token: HOST_TEST_TOKEN,
      log: () => {},
      onRefused: () => {},
    });
    cleanups.push(() => tab2.close());

    const { id, doc } = await inst.queueSession('hi there');
    const other = tab2.openDoc(sessionDocName(id));
    await waitForDoc(doc, turnDone(1), 20_000);
    const event1 = `turn.done:${id}:1`;
    await waitForDoc(doc, (d) => getHookFiring(d, event1)?.doneAt !== undefined, 20_000);
    await Promise.all([a.hooksSettled(), b.hooksSettled()]);

    const driver = getRunState(doc).driver;
    expect([a.driverId, b.driverId]).toContain(driver);
    const firing = getHookFiring(doc, event1);
    expect(firing?.by).toBe(driver);
    const detail = (hook: string) => firing?.results.find((r) => r.hook.includes(hook))?.detail;
    expect(detail('/ok')).toBe('HTTP 204');
    expect(detail('append.mjs')).toBe('exit code 0');
    expect(detail('/hang')).toBe('timed out after 300 ms');
    expect(detail('/fail')).toBe('HTTP 500');
    expect(detail('hang.mjs')).toBe('timed out after 500 ms');
    expect(detail('rm -rf')).toMatch(/^denied by the runner's rules/);
    expect(detail('touch')).toMatch(/^needs an allow rule/);
    expect(firing?.results.filter((r) => r.ok)).toHaveLength(2);
    // The second tab sees the same log; the POST carried the event.
    await waitForDoc(other.doc, (d) => getHookFiring(d, event1)?.doneAt !== undefined, 5000);
    expect(far.posts.filter((p) => p.path === '/ok').map((p) => p.body)).toEqual([
      expect.objectContaining({
        event: 'turn.done',
        id: event1,
        sessionId: id,
        data: expect.objectContaining({ turn: 1 }),
      }),
    ]);
    expect(await readFile(appended, 'utf8')).toBe(`turn.done ${event1}\n`);
    // Settings' view: each hook's last result, in the space doc.
    const space = inst.tab.openDoc(SPACE_DOC);
    const { workspaceId } = await loadHostIdentity(dirA, inst.workspace);
    await expect
      .poll(() => Object.values(getHooksStatus(space.doc, workspaceId)?.last ?? {}).length, { timeout: 5000 })
      .toBe(7);
    space.release();
    if (driver === a.driverId) expect(logA.some((l) => l.includes('timed out after 300 ms'))).toBe(true);

    // Restart the host that drove the turn (same data folder, same id) alone; the next turn fires once, the
    // first never again.
    await stopHost(a);
    await stopHost(b);
    const again = await startTestHost(inst, driver === a.driverId ? dirA : dirB);
    queueNextTurn(inst, id, doc, 'and once more');
    await waitForDoc(doc, turnDone(2), 20_000);
    await waitForDoc(doc, (d) => getHookFiring(d, `turn.done:${id}:2`)?.doneAt !== undefined, 20_000);
    await again.hooksSettled();
    expect(far.posts.filter((p) => p.path === '/ok').map((p) => p.body.id)).toEqual([event1, `turn.done:${id}:2`]);
    expect(await readFile(appended, 'utf8')).toBe(`turn.done ${event1}\nturn.done turn.done:${id}:2\n`);
    expect(listHookFirings(doc).map((f) => f.id)).toEqual([event1, `turn.done:${id}:2`]);
    other.release();
  }, 90_000);

  it('fires approval.waiting, workflow.done and .failed, subagent.done and each turn.done once, with two hosts alive', async () => {
    inst = await startInstallation(['demo', 'chat-e2e', 'subagents']);
    const far = await startHookServer();
    await writeWorkspaceHooks(inst, [{ on: [...HOOK_EVENTS], post: `${far.url}/ok` }]);
    const a = await startTestHost(inst, inst.runnerData);
    const b = await startTestHost(inst, join(inst.root, 'runner-b'));

    // A coder turn that asks before writing: approval.waiting, then (answered from a tab) turn.done.
    const coder = await inst.queueSession('write a note', { kind: 'coder' });
    await waitForDoc(coder.doc, (d) => listAwaitingApprovals(d).length === 1, 20_000);
    const asking = listAwaitingApprovals(coder.doc)[0];
    const approvalId = `approval.waiting:${asking?.id}`;
    await waitForDoc(coder.doc, (d) => getHookFiring(d, approvalId)?.doneAt !== undefined, 20_000);
    answerSpanApproval(coder.doc, asking?.id ?? '', 'deny', 'tab-1/a', Date.now());
    await waitForDoc(coder.doc, turnDone(1), 20_000);
    await waitForDoc(coder.doc, (d) => getHookFiring(d, `turn.done:${coder.id}:1`)?.doneAt !== undefined, 20_000);

    // Two workflow runs started from that session, one that completes and one that throws.
    const runIds = [newId('wfr'), newId('wfr')];
    const space = inst.tab.openDoc(SPACE_DOC);
    for (const [i, runId] of runIds.entries()) {
      const run = inst.tab.openDoc(workflowRunDocName(runId));
      await run.whenSynced;
      initWorkflowRun(run.doc, space.doc, {
        runId,
        sessionId: coder.id,
        workflowName: `tiny-${i}`,
        source: `export const meta = { name: 'tiny-${i}', description: 'no agents' };\n${i === 0 ? 'return 42;' : "throw new Error('no');"}`,
        createdAt: Date.now(),
      });
      run.release();
    }
    const runEvents = [`workflow.done:${runIds[0]}:1`, `workflow.failed:${runIds[1]}:1`];
    await waitForDoc(coder.doc, (d) => runEvents.every((e) => getHookFiring(d, e)?.doneAt !== undefined), 30_000);
    space.release();

    // A lead whose background child finishes and wakes it: subagent.done, the child's turn, both lead turns.
    const lead = await inst.queueSession('spawn a slow helper', { subagents: true });
    await waitForDoc(lead.doc, turnDone(2), 60_000);
    const child = listSubagentRecords(lead.doc)[0]?.id ?? '';
    const leadEvents = [`subagent.done:${child}`, `turn.done:${lead.id}:1`, `turn.done:${lead.id}:2`];
    await waitForDoc(lead.doc, (d) => leadEvents.every((e) => getHookFiring(d, e)?.doneAt !== undefined), 20_000);
    const childDoc = inst.tab.openDoc(sessionDocName(child));
    await waitForDoc(childDoc.doc, (d) => getHookFiring(d, `turn.done:${child}:1`)?.doneAt !== undefined, 20_000);
    childDoc.release();
    await Promise.all([a.hooksSettled(), b.hooksSettled()]);

    const ids = far.posts.map((p) => p.body.id).sort();
    expect(ids).toEqual(
      [approvalId, `turn.done:${coder.id}:1`, ...runEvents, ...leadEvents, `turn.done:${child}:1`].sort(),
    );
    for (const p of far.posts) expect(p.body.event).toBe(p.body.id.split(':')[0]);
  }, 120_000);

  it('reports a hooks file that does not parse with its line, in the log and the space doc, and fires nothing', async () => {
    inst = await startInstallation();
    await mkdir(join(inst.workspace, '.boocode'), { recursive: true });
    await writeFile(
      join(inst.workspace, '.boocode', 'hooks.json'),
      '{\n  "hooks": [\n    { "on": "turn.done", "run": "touch x" }\n    { "on": "turn.done", "run": "touch y" }\n  ]\n}\n',
    );
    const log: string[] = [];
    const host = await startTestHost(inst, inst.runnerData, log);
    expect(log.find((l) => l.includes('hooks.json'))).toMatch(/hooks\.json line 4 column 5: not valid JSON/);
    const space = inst.tab.openDoc(SPACE_DOC);
    const { workspaceId } = await loadHostIdentity(inst.runnerData, inst.workspace);
    await expect.poll(() => getHooksStatus(space.doc, workspaceId)?.files[0]?.error?.line, { timeout: 5000 }).toBe(4);
    space.release();
    const { doc } = await inst.queueSession('hi there');
    await waitForDoc(doc, turnDone(1), 20_000);
    await host.hooksSettled();
    expect(listHookFirings(doc)).toEqual([]);
  }, 60_000);
});
