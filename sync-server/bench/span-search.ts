/**
 * Search across sessions (issue 17.3): generated session docs projected into tool_traces on the embedded
 * database (PGlite in its worker, behind the unix socket, as the server opens it), then each kind of
 * `GET /api/spans/search` query and the stats query timed through the route code. Goal: < 200 ms.
 * Sizes: BENCH_SEARCH_SESSIONS (1000), BENCH_SEARCH_SPANS (20 per session), BENCH_SEARCH_RUNS (7).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionDocName } from '@boocode/shared/doc/names';
import { openSpan } from '@boocode/shared/doc/spans';
import { SpanSearchQuery, SpanStatsQuery } from '@boocode/shared/protocol/span-search';
import * as Y from 'yjs';
import { openDatabase } from '../src/persistence/database.ts';
import { createSessionProjector } from '../src/projection/session-projector.ts';
import { decodeSearchCursor, searchSpans, spanStats } from '../src/projection/span-search.ts';
import type { SqlQuery } from '../src/projection/sql-query.ts';

export interface SpanSearchBenchConfig {
  sessions: number;
  spansPerSession: number;
  runs: number;
}

export interface SpanSearchTiming {
  query: string;
  hits: number;
  medianMs: number;
  maxMs: number;
}

export interface SpanSearchBenchResult {
  rows: number;
  projectMs: number;
  timings: SpanSearchTiming[];
}

const TOOLS = ['read_file', 'write_file', 'edit_file', 'run_command', 'grep', 'list_files'];
const MODELS = ['deepseek-chat', 'deepseek-reasoner', 'gpt-4.1-mini'];
const WORDS = 'alpha beta gamma delta parser router widget render cache token stream socket build test'.split(' ');
const DAY = 86_400_000;
const START = Date.UTC(2026, 9, 1);

/** A deterministic session: model calls and tool calls with inputs and outputs of a few hundred bytes. */
function generateSession(doc: Y.Doc, s: number, spans: number) {
  const t0 = START + (s % 60) * DAY + s * 1000;
  doc.transact(() => {
    for (let i = 0; i < spans; i++) {
      const startedAt = t0 + i * 2000;
      const word = (k: number) => WORDS[(s * 7 + i * 3 + k) % WORDS.length];
      if (i % 5 === 0) {
        openSpan(doc, {
          id: `spn_${String(i).padStart(4, '0')}`,
          kind: 'model',
          name: 'chat',
          turn: Math.floor(i / 5) + 1,
          status: 'ok',
          startedAt,
          endedAt: startedAt + 1500,
          model: MODELS[s % MODELS.length],
          cost: 0.001 * ((s + i) % 9),
          usage: { reported: true, prompt: 4000, completion: 300, reasoning: 0, cacheHit: 3000, cacheMiss: 1000 },
        });
        continue;
      }
      const tool = TOOLS[(s + i) % TOOLS.length] ?? 'grep';
      const failed = (s + i) % 17 === 0;
      openSpan(doc, {
        id: `spn_${String(i).padStart(4, '0')}`,
        kind: 'tool',
        name: tool,
        turn: Math.floor(i / 5) + 1,
        status: failed ? 'error' : 'ok',
        startedAt,
        endedAt: startedAt + 20 + ((s * 31 + i * 17) % 900),
        input: { path: `src/${word(0)}/${word(1)}-${s}.ts`, pattern: word(2) },
        output: failed
          ? undefined
          : {
              content: Array.from({ length: 12 }, (_, k) => `export const ${word(k)}${k} = '${word(k + 1)}';`).join(
                '\n',
              ),
            },
        ...(failed ? { error: { code: 'EXIT_CODE', message: `command failed: ${word(3)} exited with 1` } } : {}),
      });
    }
    // One rare word, in one span of one session in a hundred: a search that finds almost nothing.
    if (s % 100 === 42) {
      openSpan(doc, {
        id: 'spn_rare',
        kind: 'tool',
        name: 'run_command',
        turn: 1,
        status: 'ok',
        startedAt: t0 + 500,
        endedAt: t0 + 700,
        output: { stdout: `found the zanzibar-${s} marker` },
      });
    }
  });
}

export async function runSpanSearchBench(cfg: SpanSearchBenchConfig): Promise<SpanSearchBenchResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-bench-search-'));
  const db = await openDatabase({ dataDir });
  try {
    const query = ((sql: string, params?: unknown[]) => db.pool.query(sql, params)) as SqlQuery;
    const projector = createSessionProjector({ query, recordProgress: false, batchRows: 1000 });
    const projectStart = performance.now();
    for (let s = 0; s < cfg.sessions; s++) {
      const doc = new Y.Doc();
      generateSession(doc, s, cfg.spansPerSession);
      await projector.project(sessionDocName(`ses_bench_${String(s).padStart(5, '0')}`), doc);
      projector.forget(sessionDocName(`ses_bench_${String(s).padStart(5, '0')}`));
      doc.destroy();
    }
    const projectMs = performance.now() - projectStart;
    await query('ANALYZE tool_traces');
    const rows = Number((await query<{ n: string }>('SELECT count(*) AS n FROM tool_traces')).rows[0]?.n);

    const firstPage = await searchSpans(query, SpanSearchQuery.parse({}), undefined);
    const cursor = decodeSearchCursor(firstPage.nextCursor ?? '') ?? undefined;
    const mid = START + 30 * DAY;
    const searches: [string, Record<string, string | number>, typeof cursor][] = [
      ['newest 50, no filter', {}, undefined],
      ['next page (cursor)', {}, cursor],
      ['text, rare (10 hits)', { q: 'zanzibar' }, undefined],
      ['text, common word', { q: 'widget' }, undefined],
      ['text, no match', { q: 'no-such-text-anywhere' }, undefined],
      ['tool + status', { name: 'run_command', status: 'error' }, undefined],
      ['model + time range', { kind: 'model', model: 'gpt-4.1-mini', from: mid, to: mid + 3 * DAY }, undefined],
      ['text + tool + 7 days', { q: 'router', name: 'grep', from: mid, to: mid + 7 * DAY }, undefined],
    ];
    const timings: SpanSearchTiming[] = [];
    for (const [label, params, after] of searches) {
      const q = SpanSearchQuery.parse(params);
      const t = await timeRuns(cfg.runs, async () => (await searchSpans(query, q, after)).items.length);
      timings.push({ query: label, ...t });
    }
    const stats = await timeRuns(cfg.runs, async () => {
      const r = await spanStats(query, SpanStatsQuery.parse({}));
      return r.costByDay.length + r.cacheByDay.length + r.slowestTools.length + r.failingTools.length;
    });
    timings.push({ query: 'stats (all charts), all time', ...stats });
    return { rows, projectMs, timings };
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One warm-up, then `runs` timed runs; the hit count of the last. */
async function timeRuns(runs: number, fn: () => Promise<number>) {
  let hits = await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    hits = await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { hits, medianMs: ms[Math.floor(ms.length / 2)] ?? Number.NaN, maxMs: ms.at(-1) ?? Number.NaN };
}
