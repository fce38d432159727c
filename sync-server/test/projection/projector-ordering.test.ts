import { sessionDocName } from '@boocode/shared/doc/names';
import { closeSpan, openSpan } from '@boocode/shared/doc/spans';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createSessionProjector } from '../../src/projection/session-projector.ts';
import type { SqlQuery } from '../../src/projection/sql-query.ts';
import { type TestDatabase, testBackends } from './test-databases.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

// Only PGlite: the race is staged by the wrapper below, not by the database.
const backend = testBackends()[0]!;

describe('session projector ordering', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('never leaves an older state in the table when two projections of one doc overlap', async () => {
    // Stage the worst interleaving a pool allows: the first projection's upsert runs late (after the
    // second's), while the second's reply arrives late (after the first's). Unless projections of a doc
    // run one after another, the table keeps the older row while the projector believes it is current.
    const firstMayRun = deferred();
    const secondMayReply = deferred();
    let upserts = 0;
    let secondCommitted = false;
    const query = (async (sql: string, params?: unknown[]) => {
      if (!sql.startsWith('INSERT INTO tool_traces')) return db.query(sql, params);
      const n = ++upserts;
      if (n === 1) await firstMayRun.promise;
      const res = await db.query(sql, params);
      if (n === 2) {
        secondCommitted = true;
        await secondMayReply.promise;
      }
      return res;
    }) as SqlQuery;

    const projector = createSessionProjector({ query, warn: () => {} });
    const name = sessionDocName('ses_order');
    const doc = new Y.Doc();
    openSpan(doc, { id: 'spn_1', kind: 'model', name: 'chat', turn: 1, startedAt: 1 });
    const p1 = projector.project(name, doc);
    expect(await waitFor(() => upserts === 1, 5000)).toBe(true);
    closeSpan(doc, 'spn_1', { status: 'ok', endedAt: 2 });
    const p2 = projector.project(name, doc);
    // A projector that overlaps runs gets the second upsert in now; a serialising one never does.
    await waitFor(() => secondCommitted, 300);
    firstMayRun.resolve();
    await p1;
    secondMayReply.resolve();
    await p2;
    await projector.project(name, doc);

    const rows = await db.query('SELECT status, ended_at FROM tool_traces WHERE session_id = $1', ['ses_order']);
    expect(rows.rows).toEqual([{ status: 'ok', ended_at: 2 }]);
  });
});
