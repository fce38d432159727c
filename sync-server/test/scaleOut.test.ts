import { adminDatabaseUrl, postgresBackend, type StorageTarget } from '@boocode/testkit/databases/storage-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, randomDocName, type TestClient, waitFor, waitSynced } from './support/clients.ts';
import { type ServerProcess, spawnServer } from './support/serverProcess.ts';
import { TEST_TOKEN } from './support/servers.ts';

const log = (c: TestClient) => c.doc.getArray<string>('log').toArray();
const same = (clients: TestClient[]) =>
  clients.every((c) => JSON.stringify(log(c).sort()) === JSON.stringify(log(clients[0]!).sort()));

describe.skipIf(!adminDatabaseUrl)('two instances on one real Postgres', () => {
  let target: StorageTarget & { cleanup(): Promise<void> };
  const procs: ServerProcess[] = [];
  const clients: TestClient[] = [];
  beforeAll(async () => {
    target = await postgresBackend.create();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const p of procs) await p.kill('SIGKILL');
    await target?.cleanup();
  });

  it('R14 clients of different instances converge (updates and presence), also after one instance is killed and restarted', async () => {
    const start = (port?: number) =>
      spawnServer({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, token: TEST_TOKEN, port });
    const [one, two] = await Promise.all([start(), start()]);
    procs.push(one!, two!);
    const name = randomDocName('scale');
    const connect = (p: ServerProcess) => {
      const c = connectClient(p.url, name, { token: TEST_TOKEN });
      clients.push(c);
      return c;
    };
    const a1 = connect(one!);
    const a2 = connect(one!);
    const b1 = connect(two!);
    await Promise.all([a1, a2, b1].map((c) => waitSynced(c)));

    a1.doc.getArray<string>('log').push(['a1-first']);
    b1.doc.getArray<string>('log').push(['b1-first']);
    await waitFor(() => log(b1).includes('a1-first') && log(a2).includes('b1-first'), 'cross-instance delivery');
    for (let i = 0; i < 50; i++) {
      a1.doc.getArray<string>('log').push([`a1-${i}`]);
      b1.doc.getArray<string>('log').push([`b1-${i}`]);
    }
    await waitFor(() => log(a1).length === 102 && same([a1, a2, b1]), 'converged across instances');
    // Presence crosses instances too (not stored: it travels in the notification).
    a1.provider.awareness.setLocalStateField('user', 'a1');
    b1.provider.awareness.setLocalStateField('user', 'b1');
    await waitFor(
      () =>
        b1.provider.awareness.getStates().get(a1.doc.clientID)?.user === 'a1' &&
        a2.provider.awareness.getStates().get(b1.doc.clientID)?.user === 'b1',
      'awareness across instances',
    );

    // Kill instance one; its clients lose their server, instance two carries on.
    await one!.kill('SIGKILL');
    b1.doc.getArray<string>('log').push(['b1-while-one-down']);
    a1.doc.getArray<string>('log').push(['a1-offline-edit']);
    const late = connect(two!);
    await waitFor(() => log(late).includes('b1-while-one-down'), 'instance two still serves');

    const oneAgain = await start(one!.port);
    procs.push(oneAgain);
    await waitFor(
      () => [a1, a2, b1, late].every((c) => log(c).includes('a1-offline-edit') && log(c).includes('b1-while-one-down')),
      'converged after restart',
    );
    expect(same([a1, a2, b1, late])).toBe(true);
    expect(log(a1).length).toBe(104);
  }, 90_000);
});
