import { sessionDocName } from '@boocode/shared/doc/names';
import type { Span } from '@boocode/shared/doc/session-schema';
import { closeSpan, listSpans, openSpan } from '@boocode/shared/doc/spans';
import { msToUnixNano, otlpSpanId, otlpTraceId, otlpTurnSpanId } from '@boocode/shared/otlp/otlp-span';
import {
  OtlpExportTraceServiceRequest,
  type OtlpKeyValue,
  type OtlpSpan,
} from '@boocode/shared/otlp/otlp-trace-schema';
import { spansToOtlp } from '@boocode/shared/otlp/spans-to-otlp';
import { type TestDatabase, testBackends } from '@boocode/testkit/databases/sql-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { exportSessionOtlp } from '../../src/export/export-session-otlp.ts';
import { createSessionProjector } from '../../src/projection/session-projector.ts';

const T0 = 1_700_000_000_000;

/** A recorded turn: a model call that asks for three tools (one fails), then turn 2's model call still open. */
function recordedSession(): Y.Doc {
  const doc = new Y.Doc();
  openSpan(doc, { id: 'spn_m1', kind: 'model', name: 'chat', turn: 1, startedAt: T0 + 0.25, model: 'deepseek-chat' });
  closeSpan(doc, 'spn_m1', {
    status: 'ok',
    endedAt: T0 + 1200.5,
    usage: { reported: true, prompt: 1000, completion: 80, reasoning: 12, cacheHit: 896, cacheMiss: 104 },
    cost: 0.0003,
  });
  openSpan(doc, {
    id: 'spn_t1',
    kind: 'tool',
    name: 'read_file',
    turn: 1,
    startedAt: T0 + 1300,
    input: { path: 'src/a.ts', secret: 'sk-should-not-leak' },
  });
  closeSpan(doc, 'spn_t1', { status: 'ok', endedAt: T0 + 1310, output: 'file body' });
  openSpan(doc, { id: 'spn_t2', kind: 'tool', name: 'run_command', turn: 1, startedAt: T0 + 1301 });
  closeSpan(doc, 'spn_t2', { status: 'error', endedAt: T0 + 1400, error: { code: 'EXIT_1', message: 'tests failed' } });
  openSpan(doc, { id: 'spn_t3', kind: 'tool', name: 'write_file', turn: 1, startedAt: T0 + 1302 });
  closeSpan(doc, 'spn_t3', { status: 'interrupted', endedAt: T0 + 1303 });
  openSpan(doc, { id: 'spn_m2', kind: 'model', name: 'chat', turn: 2, startedAt: T0 + 1500 });
  return doc;
}

function attr(span: OtlpSpan, key: string): unknown {
  const kv = span.attributes.find((a: OtlpKeyValue) => a.key === key);
  if (!kv) return undefined;
  return Object.values(kv.value)[0];
}

describe('spansToOtlp', () => {
  const doc = recordedSession();
  const spans = listSpans(doc);
  const out = spansToOtlp('ses_otlp', spans, { provider: 'deepseek', now: T0 + 2000, serviceVersion: '0.1.0' });
  const allSpans = out.resourceSpans[0]!.scopeSpans[0]!.spans;
  // The recorded spans; the synthetic session and turn spans are otlp-tree.test.ts's subject.
  const otlpSpans = allSpans.filter((s) => attr(s, 'boocode.span.id') !== undefined);
  const byId = (id: string) => otlpSpans.find((s) => attr(s, 'boocode.span.id') === id)!;

  it('validates against the OTLP/JSON ExportTraceServiceRequest shape', () => {
    const parsed = OtlpExportTraceServiceRequest.safeParse(JSON.parse(JSON.stringify(out)));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(otlpSpans).toHaveLength(5);
    expect(allSpans).toHaveLength(5 + 1 + 2);
  });

  it('derives one 32-hex trace id from the session and distinct 16-hex span ids, parents pointing at real spans', () => {
    const traceIds = new Set(otlpSpans.map((s) => s.traceId));
    expect([...traceIds]).toEqual([otlpTraceId('ses_otlp')]);
    expect(otlpTraceId('ses_otlp')).toMatch(/^[0-9a-f]{32}$/);
    expect(otlpTraceId('ses_other')).not.toBe(otlpTraceId('ses_otlp'));
    const ids = otlpSpans.map((s) => s.spanId);
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    for (const id of ['spn_m1', 'spn_t1', 'spn_t2', 'spn_t3']) {
      expect(byId(id).parentSpanId).toBe(otlpTurnSpanId('ses_otlp', 1));
    }
    expect(byId('spn_m2').parentSpanId).toBe(otlpTurnSpanId('ses_otlp', 2));
    expect(otlpSpanId('spn_m1')).toBe(byId('spn_m1').spanId);
    // Deterministic: a second export names everything the same.
    expect(spansToOtlp('ses_otlp', spans, { provider: 'deepseek', now: T0 + 2000, serviceVersion: '0.1.0' })).toEqual(
      out,
    );
  });

  it('gives times as exact nanosecond strings, and an open span ends at `now`', () => {
    expect(byId('spn_m1').startTimeUnixNano).toBe('1700000000000250000');
    expect(byId('spn_m1').endTimeUnixNano).toBe('1700000001200500000');
    expect(byId('spn_m2').endTimeUnixNano).toBe('1700000002000000000');
    expect(msToUnixNano(T0)).toBe(`${T0}000000`);
    expect(msToUnixNano(1.9999999)).toBe('2000000');
  });

  it('carries GenAI semantic-convention attributes, kinds and statuses', () => {
    const m1 = byId('spn_m1');
    expect(m1.name).toBe('chat deepseek-chat');
    expect(m1.kind).toBe(3);
    expect(m1.status).toEqual({ code: 1 });
    expect(attr(m1, 'gen_ai.operation.name')).toBe('chat');
    expect(attr(m1, 'gen_ai.system')).toBe('deepseek');
    expect(attr(m1, 'gen_ai.request.model')).toBe('deepseek-chat');
    expect(attr(m1, 'gen_ai.usage.input_tokens')).toBe('1000');
    expect(attr(m1, 'gen_ai.usage.output_tokens')).toBe('80');
    expect(attr(m1, 'boocode.cache.hit_tokens')).toBe('896');
    expect(attr(m1, 'boocode.cache.miss_tokens')).toBe('104');
    expect(attr(m1, 'boocode.usage.reasoning_tokens')).toBe('12');

    const t1 = byId('spn_t1');
    expect(t1.name).toBe('execute_tool read_file');
    expect(t1.kind).toBe(1);
    expect(attr(t1, 'gen_ai.operation.name')).toBe('execute_tool');
    expect(attr(t1, 'gen_ai.tool.name')).toBe('read_file');
    expect(attr(t1, 'gen_ai.tool.call.id')).toBe('spn_t1');

    expect(byId('spn_t2').status).toEqual({ code: 2, message: 'tests failed' });
    expect(attr(byId('spn_t2'), 'error.type')).toBe('EXIT_1');
    expect(byId('spn_t3').status).toEqual({ code: 2, message: 'interrupted' });
    expect(byId('spn_m2').status).toEqual({ code: 0 });
    expect(attr(byId('spn_m2'), 'boocode.span.status')).toBe('open');
  });

  it('leaves inputs and outputs out unless asked, and caps them when asked', () => {
    expect(JSON.stringify(out)).not.toContain('sk-should-not-leak');
    const withContent = spansToOtlp('ses_otlp', spans, { includeContent: true, maxContentChars: 20 });
    const t1 = withContent.resourceSpans[0]!.scopeSpans[0]!.spans.find((s) => attr(s, 'boocode.span.id') === 'spn_t1')!;
    expect(String(attr(t1, 'gen_ai.tool.call.arguments'))).toMatch(/^\{"path":"src\/a.ts",.*more chars\]$/);
    expect(attr(t1, 'gen_ai.tool.call.result')).toBe('file body');
    expect(OtlpExportTraceServiceRequest.safeParse(withContent).success).toBe(true);
  });

  it('rejects what an OTLP receiver would: wrong id lengths, zero ids, float times, ends before starts', () => {
    const good = JSON.parse(JSON.stringify(out));
    const mutate = (f: (s: Record<string, unknown>) => void) => {
      const copy = JSON.parse(JSON.stringify(good));
      f(copy.resourceSpans[0].scopeSpans[0].spans[0]);
      return OtlpExportTraceServiceRequest.safeParse(copy).success;
    };
    expect(mutate(() => {})).toBe(true);
    expect(mutate((s) => (s.traceId = 'abc'))).toBe(false);
    expect(mutate((s) => (s.spanId = '0'.repeat(16)))).toBe(false);
    expect(mutate((s) => (s.startTimeUnixNano = 1.5e18))).toBe(false);
    expect(mutate((s) => (s.endTimeUnixNano = '1'))).toBe(false);
  });
});

describe.each(testBackends({ socket: false }))('exportSessionOtlp from the projection on $name', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('exports the projected spans exactly as exporting the doc does', async () => {
    const doc = recordedSession();
    await createSessionProjector({ query: db.query }).project(sessionDocName('ses_otlp'), doc);
    const meta = { provider: 'deepseek', now: T0 + 2000 };
    const fromTables = await exportSessionOtlp(db.query, 'ses_otlp', meta);
    const spans: Span[] = listSpans(doc);
    expect(fromTables).toEqual(spansToOtlp('ses_otlp', spans, meta));
  });
});
