// A whole installation for agent-host tests, on temp folders and random ports: the real sync server (embedded
// storage), a real runner over a throwaway workspace, the scripted model, and "tabs" that are plain Yjs
// clients of the server (the same client the host is). A test writes into session docs as a tab would
// and watches what the host does.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queueTurn } from '@boocode/shared/agent/agent-engine';
import { realClock } from '@boocode/shared/agent/engine-deps';
import { SPACE_DOC, sessionDocName } from '@boocode/shared/doc/names';
import { initSessionMeta } from '@boocode/shared/doc/session';
import type { SessionKind } from '@boocode/shared/doc/space';
import { putSessionEntry, updateSessionEntry } from '@boocode/shared/doc/space';
import { newId } from '@boocode/shared/ids';
import { loadScenarios, type ScenarioInput } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import type * as Y from 'yjs';
import { HostDocs } from '../../src/host/host-docs.ts';
import { createRunner, type Runner } from '../../src/runner/create-runner.ts';
import { createSyncServer, type SyncServer } from '../../src/server/createSyncServer.ts';

export const HOST_TEST_TOKEN = 'host-test-token-0123456789';

export interface Installation {
  server: SyncServer;
  runner: Runner;
  runnerUrl: string;
  model: ScriptedModel;
  root: string;
  workspace: string;
  runnerData: string;
  /** A tab: a Yjs client of the server. */
  tab: HostDocs;
  /** Creates a session as a tab does and queues its first turn for a driver. */
  queueSession(text: string, opts?: { kind?: SessionKind; subagents?: boolean }): Promise<{ id: string; doc: Y.Doc }>;
  close(): Promise<void>;
}

/** `scenarios`: names of scenario files, or scenarios written inline (the benchmark's own). */
export async function startInstallation(
  scenarios: Array<string | ScenarioInput> = ['demo', 'chat-e2e'],
): Promise<Installation> {
  const root = await mkdtemp(join(tmpdir(), 'boocode-host-'));
  const workspace = join(root, 'ws');
  const runnerData = join(root, 'runner');
  await mkdir(workspace, { recursive: true });
  const server = await createSyncServer({
    dataDir: join(root, 'server'),
    token: HOST_TEST_TOKEN,
    port: 0,
    docIdleMs: 2000,
    backfill: false,
  });
  const runner = await createRunner({ workspace, dataDir: runnerData, port: 0, home: join(root, 'home') });
  const { url: runnerUrl } = await runner.listen();
  const named = scenarios.filter((s): s is string => typeof s === 'string');
  const inline = scenarios.filter((s): s is ScenarioInput => typeof s !== 'string');
  const model = await startScriptedModel({ scenarios: [...loadScenarios(...named), ...inline] });
  const tab = new HostDocs({ serverUrl: server.url, token: HOST_TEST_TOKEN, log: () => {}, onRefused: () => {} });
  const space = tab.openDoc(SPACE_DOC);
  await space.whenSynced;
  return {
    server,
    runner,
    runnerUrl,
    model,
    root,
    workspace,
    runnerData,
    tab,
    async queueSession(text, opts = {}) {
      const id = newId('ses');
      const now = Date.now();
      const kind = opts.kind ?? 'chat';
      const handle = tab.openDoc(sessionDocName(id));
      await handle.whenSynced;
      initSessionMeta(handle.doc, {
        id,
        title: text,
        kind,
        createdAt: now,
        model: 'scripted-deepseek',
        provider: 'scripted',
        modelBaseUrl: model.baseUrl,
        ...(opts.subagents ? { subagents: true } : {}),
      });
      putSessionEntry(space.doc, { id, title: text, kind, status: 'idle', createdAt: now, updatedAt: now });
      queueTurn(handle.doc, { text }, { clock: realClock, newId: (p) => newId(p) });
      updateSessionEntry(space.doc, id, { status: 'queued', updatedAt: Date.now() });
      return { id, doc: handle.doc };
    },
    async close() {
      tab.close();
      await model.close();
      await runner.close();
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
