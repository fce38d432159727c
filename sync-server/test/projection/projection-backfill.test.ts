// The backfill on its own, over a real database with fakes around it: a doc written while it is being
// projected is read again until what is stored holds still; a stop between docs leaves the rest for the
// next run; a doc loaded here is left to its live projection; docs that are not sessions are not read.
import { sessionDocName } from '@boocode/shared/doc/names';
import { closeSpan, openSpan } from '@boocode/shared/doc/spans';
import { type TestDatabase, testBackends } from '@boocode/testkit/databases/sql-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  INSERT_ONE_ROW_SQL,
  LOAD_STORED_DOC_SQL,
  type StoredDoc,
  type StoredDocRow,
  storedDocOf,
} from '../../src/persistence/updateLog.ts';
import { backfillProjections } from '../../src/projection/projection-backfill.ts';
import { createSessionProjector } from '../../src/projection/session-projector.ts';
import type { SqlQuery } from '../../src/projection/sql-query.ts';

// The storage tables as persistence/migrations.ts creates them.
const STORAGE_DDL = [
  `CREATE TABLE doc_updates (doc text NOT NULL, seq bigserial NOT NULL, bytes bytea NOT NULL,
     time timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (doc, seq))`,
  `CREATE TABLE doc_snapshots (doc text PRIMARY KEY, bytes bytea NOT NULL, upto_seq bigint NOT NULL,
     time timestamptz NOT NULL DEFAULT now(), merged_rows bigint NOT NULL DEFAULT 0)`,
  'CREATE TABLE doc_stats (doc text PRIMARY KEY, stored_rows bigint NOT NULL)',
];

async function storeUpdate(query: SqlQuery, doc: string, update: Uint8Array) {
  await query(INSERT_ONE_ROW_SQL, [doc, update]);
}

/** loadStoredDoc over a SqlQuery. */
async function loadDoc(query: SqlQuery, doc: string): Promise<StoredDoc> {
  const res = await query<StoredDocRow>(LOAD_STORED_DOC_SQL, [doc]);
  return storedDocOf(res.rows.map((r) => ({ ...r, bytes: r.bytes ? new Uint8Array(r.bytes) : null })));
}

function sessionUpdate(spanIds: string[]): Uint8Array {
  const doc = new Y.Doc();
  for (const [i, id] of spanIds.entries()) openSpan(doc, { id, kind: 'tool', name: 'grep', turn: 1, startedAt: i });
  return Y.encodeStateAsUpdate(doc);
}

async function spanRows(query: SqlQuery, sessionId: string) {
  const res = await query<{ span_id: string; status: string }>(
    'SELECT span_id, status FROM tool_traces WHERE session_id = $1 ORDER BY span_id',
    [sessionId],
  );
  return res.rows.map((r) => `${r.span_id}:${r.status}`);
}

describe.each(testBackends({ socket: false }))('projection backfill on $name', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
    for (const sql of STORAGE_DDL) await db.query(sql);
  });
  afterAll(async () => {
    await db?.close();
  });

  const run = (extra: Partial<Parameters<typeof backfillProjections>[0]> = {}) =>
    backfillProjections({
      query: db.query,
      loadDoc: (name) => loadDoc(db.query, name),
      projector: createSessionProjector({ query: db.query, warn: () => {} }),
      log: () => {},
      ...extra,
    });

  it('reads a doc again when it is written while being projected, and ignores docs that are not sessions', async () => {
    const name = sessionDocName('ses_moving');
    const writer = new Y.Doc();
    openSpan(writer, { id: 'spn_1', kind: 'model', name: 'chat', turn: 1, startedAt: 1 });
    await storeUpdate(db.query, name, Y.encodeStateAsUpdate(writer));
    await storeUpdate(db.query, 'space:main', sessionUpdate(['spn_x']));
    let loads = 0;
    const result = await run({
      loadDoc: async (docName) => {
        const stored = await loadDoc(db.query, docName);
        // Another instance stores a change right after our first read.
        if (docName === name && ++loads === 1) {
          const before = Y.encodeStateVector(writer);
          closeSpan(writer, 'spn_1', { status: 'ok', endedAt: 2 });
          await storeUpdate(db.query, name, Y.encodeStateAsUpdate(writer, before));
        }
        return stored;
      },
    });
    expect(loads).toBe(2);
    expect(result).toMatchObject({ candidates: 1, projected: 1, failed: 0 });
    expect(await spanRows(db.query, 'ses_moving')).toEqual(['spn_1:ok']);
    expect(await run()).toMatchObject({ candidates: 0 });
  });

  it('stops between docs when asked, and the next run does the rest', async () => {
    for (let i = 0; i < 5; i++) await storeUpdate(db.query, sessionDocName(`ses_stop_${i}`), sessionUpdate(['spn_a']));
    const stop = new AbortController();
    let loaded = 0;
    const first = await run({
      concurrency: 1,
      signal: stop.signal,
      loadDoc: (docName) => {
        if (++loaded === 2) stop.abort();
        return loadDoc(db.query, docName);
      },
    });
    expect(first).toMatchObject({ candidates: 5, projected: 2, stopped: true });
    expect(await run()).toMatchObject({ candidates: 3, projected: 3, stopped: false });
    expect(await run()).toMatchObject({ candidates: 0 });
  });

  it('leaves a doc loaded here to its live projection and does not stamp it', async () => {
    const name = sessionDocName('ses_open_here');
    await storeUpdate(db.query, name, sessionUpdate(['spn_live']));
    expect(await run({ isLoaded: (n) => n === name })).toMatchObject({ candidates: 1, live: 1, projected: 0 });
    expect(await spanRows(db.query, 'ses_open_here')).toEqual([]);
    expect(await run()).toMatchObject({ candidates: 1, projected: 1 });
    expect(await spanRows(db.query, 'ses_open_here')).toEqual(['spn_live:open']);
  });
});
