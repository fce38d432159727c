import { sessionDocName } from '@boocode/shared/doc/names';
import { emptyUsageTotals } from '@boocode/shared/doc/session-schema';
import { appendSnapshot, closeSpan, listSpans, openSpan } from '@boocode/shared/doc/spans';
import { SnapshotsResponse, type TraceItem, TracesResponse } from '@boocode/shared/protocol/traces';
import { type TestDatabase, testBackends } from '@boocode/testkit/databases/sql-backends';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createSessionProjector } from '../../src/projection/session-projector.ts';
import { registerTraceRoutes } from '../../src/projection/trace-routes.ts';

const SESSION = 'ses_pages';

describe.each(testBackends())('trace routes on $name', (backend) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const doc = new Y.Doc();

  beforeAll(async () => {
    db = await backend.open();
    // 250 spans, most sharing their start time with others (50 distinct times), ids in shuffled order.
    // They reach the table in five projections, latest first, so the rows' physical order is not the
    // sort order and only the ORDER BY / cursor can make pages right.
    const projector = createSessionProjector({ query: db.query });
    const ids = Array.from({ length: 250 }, (_, i) => `spn_${((i * 7919) % 1000).toString().padStart(4, '0')}`);
    for (let chunk = 4; chunk >= 0; chunk--) {
      for (let i = chunk * 50; i < chunk * 50 + 50; i++) {
        const id = ids[i]!;
        const tool = i % 3 === 0;
        openSpan(doc, {
          id,
          kind: tool ? 'tool' : 'model',
          name: tool ? (i % 2 ? 'read_file' : 'run_command') : 'chat',
          turn: Math.floor(i / 25),
          startedAt: 1_700_000_000_000 + Math.floor(i / 5) * 0.5,
        });
        if (i % 4 !== 0) closeSpan(doc, id, { status: i % 8 === 1 ? 'error' : 'ok', endedAt: 1_700_000_000_100 });
      }
      await projector.project(sessionDocName(SESSION), doc);
    }
    appendSnapshot(doc, { turn: 2, at: 5, messageCount: 4, usage: emptyUsageTotals(), pending: [], outcome: 'ok' });
    appendSnapshot(doc, { turn: 1, at: 3, messageCount: 2, usage: emptyUsageTotals(), pending: [], outcome: 'error' });
    await projector.project(sessionDocName(SESSION), doc);

    app = Fastify();
    registerTraceRoutes(app, {
      query: db.query,
      authorize: (req) => req.headers.authorization === 'Bearer secret',
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  async function get(url: string) {
    return app.inject({ method: 'GET', url, headers: { authorization: 'Bearer secret' } });
  }

  async function allPages(filter: string, limit: number) {
    const items: TraceItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const cursorParam: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await get(`/api/chats/${SESSION}/traces?limit=${limit}${filter}${cursorParam}`);
      expect(res.statusCode).toBe(200);
      const body = TracesResponse.parse(res.json());
      expect(body.items.length).toBeLessThanOrEqual(limit);
      items.push(...body.items);
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { items, pages };
  }

  it('returns every span exactly once across pages, in (startedAt, id) order, with equal start times', async () => {
    const { items, pages } = await allPages('', 37);
    expect(pages).toBe(Math.ceil(250 / 37));
    const ids = items.map((s) => s.id);
    expect(new Set(ids).size).toBe(250);
    expect(ids).toEqual(listSpans(doc).map((s) => s.id));
    expect(items.every((s) => s.sessionId === SESSION)).toBe(true);
  });

  it('filters by kind, name and status, still paging through every match once', async () => {
    const expected = listSpans(doc).filter((s) => s.kind === 'tool' && s.name === 'read_file' && s.status === 'ok');
    const { items } = await allPages('&kind=tool&name=read_file&status=ok', 4);
    expect(items.map((s) => s.id)).toEqual(expected.map((s) => s.id));
    expect(expected.length).toBeGreaterThan(4);
  });

  it('refuses a bad cursor, a bad limit, an unknown kind, and a request the hook does not authorise', async () => {
    expect((await get(`/api/chats/${SESSION}/traces?cursor=bm9wZQ`)).json()).toMatchObject({ code: 'INVALID_CURSOR' });
    expect((await get(`/api/chats/${SESSION}/traces?limit=0`)).statusCode).toBe(400);
    expect((await get(`/api/chats/${SESSION}/traces?kind=banana`)).json()).toMatchObject({ code: 'INVALID_QUERY' });
    const denied = await app.inject({ method: 'GET', url: `/api/chats/${SESSION}/traces` });
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('serves the snapshots of a session ordered by turn, and an empty list for an unknown session', async () => {
    const res = await get(`/api/chats/${SESSION}/snapshots`);
    const body = SnapshotsResponse.parse(res.json());
    expect(body.items.map((s) => [s.turn, s.outcome])).toEqual([
      [1, 'error'],
      [2, 'ok'],
    ]);
    expect((await get('/api/chats/ses_nobody/snapshots')).json()).toEqual({ items: [] });
    expect((await get('/api/chats/ses_nobody/traces')).json()).toEqual({ items: [], nextCursor: null });
  });
});
