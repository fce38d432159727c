// GET /api/spans/search and /api/spans/stats over spans projected from several session docs, on every
// SQL backend: text and exact filters, a time range, pages that cover every match exactly once across
// sessions, the figures the charts draw, and a 400 naming the problem for each kind of bad input.
import { sessionDocName } from '@boocode/shared/doc/names';
import type { Span } from '@boocode/shared/doc/session-schema';
import { openSpan } from '@boocode/shared/doc/spans';
import { type SpanSearchHit, SpanSearchResponse, SpanStatsResponse } from '@boocode/shared/protocol/span-search';
import { type TestDatabase, testBackends } from '@boocode/testkit/databases/sql-backends';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PROJECTION_DDL } from '../../src/projection/projection-tables.ts';
import { createSessionProjector } from '../../src/projection/session-projector.ts';
import { registerSpanSearchRoutes } from '../../src/projection/span-search-routes.ts';

const DAY = 86_400_000;
const DAY1 = Date.UTC(2026, 10, 1);
const DAY2 = Date.UTC(2026, 10, 2);

type NewSpan = Omit<Span, 'turn'> & { turn?: number };

/** The fixture: two small sessions with known content, and a third with many spans sharing start times. */
function sessions(): Record<string, NewSpan[]> {
  const crowd: NewSpan[] = Array.from({ length: 120 }, (_, i) => ({
    id: `spn_${String((i * 37) % 120).padStart(3, '0')}`,
    kind: 'tool',
    name: i % 2 ? 'grep' : 'list_files',
    status: 'ok',
    // 12 distinct start times, the same ones as in ses_a/ses_b's day: ties across sessions too.
    startedAt: DAY2 + (i % 12) * 1000,
    endedAt: DAY2 + (i % 12) * 1000 + 5,
    input: { pattern: `crowd ${i}` },
  }));
  return {
    ses_a: [
      {
        id: 'spn_m1',
        kind: 'model',
        name: 'chat',
        status: 'ok',
        startedAt: DAY1 + 1000,
        endedAt: DAY1 + 3000,
        model: 'deepseek-chat',
        cost: 0.25,
        usage: { reported: true, prompt: 150, completion: 20, reasoning: 0, cacheHit: 100, cacheMiss: 50 },
      },
      {
        id: 'spn_t1',
        kind: 'tool',
        name: 'read_file',
        status: 'ok',
        startedAt: DAY1 + 4000,
        endedAt: DAY1 + 4100,
        input: { path: 'src/AlphaWidget.ts' },
        output: { content: 'export const alpha = 1;' },
      },
      {
        id: 'spn_t2',
        kind: 'tool',
        name: 'run_command',
        status: 'error',
        startedAt: DAY1 + 5000,
        endedAt: DAY1 + 9000,
        input: { command: 'npm run build' },
        error: { code: 'EXIT_CODE', message: 'Build failed: 100%_done alphawidget broke' },
      },
    ],
    ses_b: [
      {
        id: 'spn_m1',
        kind: 'model',
        name: 'chat',
        status: 'ok',
        startedAt: DAY2 + 1000,
        endedAt: DAY2 + 2000,
        model: 'gpt-mini',
        cost: 0.5,
        usage: { reported: true, prompt: 300, completion: 20, reasoning: 0, cacheHit: 0, cacheMiss: 300 },
      },
      {
        id: 'spn_t1',
        kind: 'tool',
        name: 'run_command',
        status: 'ok',
        startedAt: DAY2 + 3000,
        endedAt: DAY2 + 3500,
        input: { command: 'ls alphaWidget' },
      },
      {
        id: 'spn_t2',
        kind: 'tool',
        name: 'run_command',
        status: 'error',
        startedAt: DAY2 + 4000,
        endedAt: DAY2 + 4200,
        error: { code: 'TIMEOUT', message: 'timed out' },
      },
    ],
    ses_c: crowd,
  };
}

describe.each(testBackends())('span search routes on $name', (backend) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const total = Object.values(sessions()).reduce((n, s) => n + s.length, 0);

  beforeAll(async () => {
    db = await backend.open();
    const projector = createSessionProjector({ query: db.query });
    for (const [sessionId, spans] of Object.entries(sessions())) {
      const doc = new Y.Doc();
      for (const s of spans) openSpan(doc, { turn: 1, ...s });
      await projector.project(sessionDocName(sessionId), doc);
    }
    app = Fastify();
    registerSpanSearchRoutes(app, { query: db.query, authorize: (req) => req.headers.authorization === 'Bearer s' });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: 'Bearer s' } });

  async function search(params: string): Promise<SpanSearchHit[]> {
    const res = await get(`/api/spans/search?${params}`);
    expect(res.statusCode, res.body).toBe(200);
    return SpanSearchResponse.parse(res.json()).items;
  }
  const keys = (hits: SpanSearchHit[]) => hits.map((h) => `${h.sessionId}/${h.spanId}`);

  it('finds text in names, inputs and errors across sessions, case-insensitively, with a snippet around it', async () => {
    const hits = await search('q=ALPHAwidget');
    expect(keys(hits)).toEqual(['ses_b/spn_t1', 'ses_a/spn_t2', 'ses_a/spn_t1']);
    for (const h of hits) expect(h.snippet.toLowerCase()).toContain('alphawidget');
    expect(hits[1]).toMatchObject({ name: 'run_command', status: 'error', errorCode: 'EXIT_CODE', turn: 1 });
    expect(hits[1]?.latencyMs).toBe(4000);
  });

  it('takes % and _ in the text literally', async () => {
    expect(keys(await search(`q=${encodeURIComponent('100%_done')}`))).toEqual(['ses_a/spn_t2']);
    expect(await search(`q=${encodeURIComponent('1%0')}`)).toEqual([]);
  });

  it('filters by tool name, status, kind, model and time range, combined', async () => {
    expect(keys(await search('name=run_command&status=error'))).toEqual(['ses_b/spn_t2', 'ses_a/spn_t2']);
    expect(keys(await search('kind=model&model=deepseek-chat'))).toEqual(['ses_a/spn_m1']);
    expect(keys(await search(`name=run_command&from=${DAY2}&to=${DAY2 + 3000}`))).toEqual(['ses_b/spn_t1']);
    expect(keys(await search(`kind=model&to=${DAY2 - 1}`))).toEqual(['ses_a/spn_m1']);
    expect(await search('model=nobody')).toEqual([]);
  });

  it('pages through every span exactly once, newest first, across sessions with shared start times', async () => {
    const seen: SpanSearchHit[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await get(`/api/spans/search?limit=7${after}`);
      expect(res.statusCode).toBe(200);
      const body = SpanSearchResponse.parse(res.json());
      expect(body.items.length).toBeLessThanOrEqual(7);
      seen.push(...body.items);
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(pages).toBe(Math.ceil(total / 7));
    expect(new Set(keys(seen)).size).toBe(total);
    const sorted = [...seen].sort(
      (x, y) =>
        y.startedAt - x.startedAt ||
        (y.sessionId < x.sessionId ? -1 : y.sessionId > x.sessionId ? 1 : 0) ||
        (y.spanId < x.spanId ? -1 : y.spanId > x.spanId ? 1 : 0),
    );
    expect(keys(seen)).toEqual(keys(sorted));
    // A filter pages the same way: the 60 grep spans of ses_c in pages of 25.
    const first = SpanSearchResponse.parse((await get('/api/spans/search?name=grep&limit=25')).json());
    expect(first.items).toHaveLength(25);
    expect(first.nextCursor).not.toBeNull();
  });

  it('answers 400 naming the problem for bad parameters and cursors', async () => {
    const cases: [string, string, RegExp][] = [
      ['limit=0', 'INVALID_QUERY', /limit/],
      ['limit=201', 'INVALID_QUERY', /limit/],
      ['limit=ten', 'INVALID_QUERY', /limit/],
      ['status=exploded', 'INVALID_QUERY', /status/],
      ['kind=robot', 'INVALID_QUERY', /kind/],
      ['from=yesterday', 'INVALID_QUERY', /from/],
      ['from=-5', 'INVALID_QUERY', /from/],
      [`from=${DAY2}&to=${DAY1}`, 'INVALID_QUERY', /`from` must not be after `to`/],
      ['q=%20%20', 'INVALID_QUERY', /blank/],
      [`q=${'x'.repeat(201)}`, 'INVALID_QUERY', /200 characters/],
      ['tool=grep', 'INVALID_QUERY', /Unknown parameter.*`tool`/],
      ['cursor=not-a-cursor', 'INVALID_CURSOR', /cursor/],
      [`cursor=${Buffer.from('[1,"a"]').toString('base64url')}`, 'INVALID_CURSOR', /cursor/],
    ];
    for (const [params, code, message] of cases) {
      const res = await get(`/api/spans/search?${params}`);
      expect(res.statusCode, params).toBe(400);
      expect(res.json().code, params).toBe(code);
      expect(res.json().message, params).toMatch(message);
    }
    const stats = await get(`/api/spans/stats?from=${DAY2}&to=${DAY1}`);
    expect(stats.statusCode).toBe(400);
    expect((await get('/api/spans/stats?model=x')).statusCode).toBe(400);
  });

  it('refuses a request that fails the authorize check (401)', async () => {
    for (const url of ['/api/spans/search', '/api/spans/stats']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
      const wrong = await app.inject({ method: 'GET', url, headers: { authorization: 'Bearer x' } });
      expect(wrong.statusCode).toBe(401);
    }
  });

  it('sums cost per day and model, cache hits per day, and ranks slow and failing tools', async () => {
    const res = await get('/api/spans/stats');
    expect(res.statusCode).toBe(200);
    const stats = SpanStatsResponse.parse(res.json());
    expect(stats.costByDay).toEqual([
      { day: DAY1, model: 'deepseek-chat', cost: 0.25, calls: 1 },
      { day: DAY2, model: 'gpt-mini', cost: 0.5, calls: 1 },
    ]);
    expect(stats.cacheByDay).toEqual([
      { day: DAY1, hitTokens: 100, missTokens: 50 },
      { day: DAY2, hitTokens: 0, missTokens: 300 },
    ]);
    // run_command: 4000, 500, 200 ms; read_file 100 ms; grep and list_files 5 ms each.
    expect(stats.slowestTools[0]).toMatchObject({ name: 'run_command', calls: 3, maxMs: 4000 });
    expect(stats.slowestTools[0]?.meanMs).toBeCloseTo(4700 / 3, 6);
    expect(stats.slowestTools.map((t) => t.name)).toEqual(['run_command', 'read_file', 'grep', 'list_files']);
    expect(stats.failingTools).toEqual([{ name: 'run_command', calls: 3, failures: 2 }]);

    const day2 = SpanStatsResponse.parse((await get(`/api/spans/stats?from=${DAY2}&to=${DAY2 + DAY - 1}`)).json());
    expect(day2.costByDay.map((c) => c.model)).toEqual(['gpt-mini']);
    expect(day2.failingTools).toEqual([{ name: 'run_command', calls: 2, failures: 1 }]);
  });
});

describe.each(testBackends({ socket: false }))('span search on a database from before search, on $name', (backend) => {
  it('adds the search column to an existing tool_traces table, and its old rows are found', async () => {
    const db = await backend.open();
    const app = Fastify();
    try {
      // The tables as an older server made them: no search_text column, no search indexes.
      for (const sql of PROJECTION_DDL.filter(
        (s) => !/search_text|tool_traces_started|tool_traces_name_started/.test(s),
      ))
        await db.query(sql);
      await db.query(
        `INSERT INTO tool_traces (session_id, span_id, turn, kind, name, status, started_at, output)
         VALUES ('ses_old', 'spn_old', 1, 'tool', 'grep', 'ok', 1000, '{"stdout":"Legacy Needle"}')`,
      );
      registerSpanSearchRoutes(app, { query: db.query });
      await app.ready();
      const res = await app.inject({ method: 'GET', url: '/api/spans/search?q=legacy%20needle' });
      expect(res.statusCode, res.body).toBe(200);
      expect(SpanSearchResponse.parse(res.json()).items.map((h) => h.spanId)).toEqual(['spn_old']);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
