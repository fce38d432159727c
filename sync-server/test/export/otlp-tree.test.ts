// The OTLP export as a trace tree: a lead session with two turns, a finished subagent, a subagent still
// running and a workflow agent, exported as one trace in which every span but the lead's session span has a
// parent in the export. Checked against the real opentelemetry-proto messages (protobuf round trip) too.
import { putSubagentRecord } from '@boocode/shared/agent/subagents/subagent-records';
import { sessionDocName } from '@boocode/shared/doc/names';
import { initSessionMeta } from '@boocode/shared/doc/session';
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import { closeSpan, openSpan } from '@boocode/shared/doc/spans';
import { collectOtlpSessions } from '@boocode/shared/otlp/collect-otlp-sessions';
import { otlpSessionSpanId, otlpSpanId, otlpTraceId, otlpTurnSpanId } from '@boocode/shared/otlp/otlp-span';
import {
  OtlpExportTraceServiceRequest,
  type OtlpKeyValue,
  type OtlpSpan,
} from '@boocode/shared/otlp/otlp-trace-schema';
import { sessionsToOtlp } from '@boocode/shared/otlp/spans-to-otlp';
import { type TestDatabase, testBackends } from '@boocode/testkit/databases/sql-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { exportSessionOtlp } from '../../src/export/export-session-otlp.ts';
import { createSessionProjector } from '../../src/projection/session-projector.ts';
import { protobufRoundTrip } from './otlp-proto.ts';

const T0 = 1_700_000_000_000;
const LEAD = 'ses_lead';
const SUB = 'ses_sub';
const SUB_RUNNING = 'ses_sub2';
const WF = 'ses_wf';

function session(meta: Omit<SessionMeta, 'kind' | 'createdAt'>): Y.Doc {
  const doc = new Y.Doc();
  initSessionMeta(doc, { kind: 'coder', createdAt: T0, ...meta });
  return doc;
}

type SpanFields = Parameters<typeof openSpan>[1];
type SpanEnd = Parameters<typeof closeSpan>[2];

/** A model call, the kind most spans here are. */
const CHAT = { kind: 'model', name: 'chat' } as const;

/** A span that ran from `from` to `to` (ms after T0) and ended `ok`, unless `end` says how else it ended. */
function ran(
  doc: Y.Doc,
  fields: Omit<SpanFields, 'startedAt'>,
  from: number,
  to: number,
  end: Partial<SpanEnd> = {},
): void {
  openSpan(doc, { ...fields, startedAt: T0 + from });
  closeSpan(doc, fields.id, { status: 'ok', endedAt: T0 + to, ...end });
}

/** Turn 1: a model call spawns two subagents; one finishes (its subagent span), one still runs. Turn 2: a workflow agent. */
function recordedTree(): Map<string, Y.Doc> {
  const lead = session({ id: LEAD, title: 'Lead', provider: 'deepseek', model: 'deepseek-chat' });
  ran(lead, { id: 'spn_m1', ...CHAT, turn: 1 }, 0, 100);
  ran(lead, { id: 'spn_spawn', kind: 'tool', name: 'spawn_subagent', turn: 1 }, 110, 120);
  ran(lead, { id: 'spn_spawn2', kind: 'tool', name: 'spawn_subagent', turn: 1 }, 115, 125);
  ran(lead, { id: 'spn_m2', ...CHAT, turn: 1 }, 130, 300);
  openSpan(lead, {
    id: 'spn_sub',
    parentId: 'spn_spawn',
    kind: 'subagent',
    name: 'researcher',
    turn: 1,
    startedAt: T0 + 121,
    endedAt: T0 + 900,
    status: 'ok',
    childSessionId: SUB,
  });
  putSubagentRecord(lead, {
    id: SUB_RUNNING,
    parentId: LEAD,
    parentSpanId: 'spn_spawn2',
    label: 'tester',
    prompt: 'run the tests',
    depth: 1,
    status: 'running',
    queuedAt: T0 + 125,
  });
  ran(lead, { id: 'spn_m3', ...CHAT, turn: 2 }, 2000, 2100);
  openSpan(lead, {
    id: 'spn_wf',
    kind: 'workflow-agent',
    name: 'review · critic',
    turn: 2,
    startedAt: T0 + 2150,
    childSessionId: WF,
  });

  const sub = session({ id: SUB, title: 'researcher', parentId: LEAD, parentSpanId: 'spn_spawn', provider: 'openai' });
  ran(sub, { id: 'spn_s1', ...CHAT, turn: 1, model: 'gpt-x' }, 130, 400);
  ran(sub, { id: 'spn_s2', kind: 'tool', name: 'read_file', turn: 1 }, 410, 420, {
    status: 'error',
    error: { code: 'ENOENT', message: 'no such file' },
  });

  const running = session({ id: SUB_RUNNING, title: 'tester', parentId: LEAD, parentSpanId: 'spn_spawn2' });
  openSpan(running, { id: 'spn_r1', ...CHAT, turn: 1, startedAt: T0 + 140 });

  const wf = session({ id: WF, title: 'review · critic', parentId: LEAD });
  ran(wf, { id: 'spn_w1', ...CHAT, turn: 1 }, 2200, 2500);
  ran(wf, { id: 'spn_w2', ...CHAT, turn: 2 }, 2600, 2700);

  return new Map([
    [LEAD, lead],
    [SUB, sub],
    [SUB_RUNNING, running],
    [WF, wf],
  ]);
}

const NOW = T0 + 5000;

async function exportTree(docs: Map<string, Y.Doc>, released: string[] = []) {
  const sessions = await collectOtlpSessions((id) => {
    const doc = docs.get(id) ?? new Y.Doc();
    return { doc, whenLoaded: Promise.resolve(), release: () => released.push(id) };
  }, LEAD);
  return sessionsToOtlp(sessions, { now: NOW });
}

const allSpans = (req: OtlpExportTraceServiceRequest) =>
  req.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));

function attr(s: OtlpSpan, key: string): unknown {
  const kv = s.attributes.find((a: OtlpKeyValue) => a.key === key);
  return kv ? Object.values(kv.value)[0] : undefined;
}

describe('OTLP export as a tree', () => {
  const docs = recordedTree();
  let req: OtlpExportTraceServiceRequest;
  let spans: OtlpSpan[];
  let byId: Map<string, OtlpSpan>;
  const of = (boocodeSpanId: string) => byId.get(otlpSpanId(boocodeSpanId))!;
  const released: string[] = [];

  beforeAll(async () => {
    req = await exportTree(docs, released);
    spans = allSpans(req);
    byId = new Map(spans.map((s) => [s.spanId, s]));
  });

  it('reads the lead and every session it started, releasing each doc it opened', () => {
    expect(req.resourceSpans.map((r) => attr({ attributes: r.resource.attributes } as OtlpSpan, 'session.id'))).toEqual(
      [LEAD, SUB, WF, SUB_RUNNING],
    );
    expect([...released].sort()).toEqual([LEAD, SUB, SUB_RUNNING, WF].sort());
  });

  it('is one trace, named by the lead, with unique ids and a single root: the lead session span', () => {
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([otlpTraceId(LEAD)]));
    expect(byId.size).toBe(spans.length);
    // 4 sessions, 2 + 1 + 1 + 2 turns, 7 + 2 + 1 + 2 recorded spans.
    expect(spans).toHaveLength(4 + 6 + 12);
    const roots = spans.filter((s) => s.parentSpanId === undefined);
    expect(roots.map((s) => s.spanId)).toEqual([otlpSessionSpanId(LEAD)]);
    expect(roots[0]!.name).toBe('session Lead');
  });

  it('gives every other span a parent that is in the export, and no cycles', () => {
    for (const s of spans) {
      if (s.spanId === otlpSessionSpanId(LEAD)) continue;
      expect(byId.has(s.parentSpanId!), `${s.name} → ${s.parentSpanId}`).toBe(true);
      let cur: OtlpSpan | undefined = s;
      for (let steps = 0; cur?.parentSpanId; steps++) {
        expect(steps).toBeLessThan(spans.length);
        cur = byId.get(cur.parentSpanId);
      }
      expect(cur?.spanId).toBe(otlpSessionSpanId(LEAD));
    }
  });

  it('hangs model and tool spans under their turn, and turns under their session', () => {
    for (const [id, session, turn] of [
      ['spn_m1', LEAD, 1],
      ['spn_spawn', LEAD, 1],
      ['spn_m2', LEAD, 1],
      ['spn_m3', LEAD, 2],
      ['spn_wf', LEAD, 2],
      ['spn_s1', SUB, 1],
      ['spn_s2', SUB, 1],
      ['spn_r1', SUB_RUNNING, 1],
      ['spn_w2', WF, 2],
    ] as const) {
      expect(of(id).parentSpanId, id).toBe(otlpTurnSpanId(session, turn));
      expect(byId.get(otlpTurnSpanId(session, turn))!.parentSpanId).toBe(otlpSessionSpanId(session));
    }
    expect(byId.get(otlpTurnSpanId(LEAD, 2))!.name).toBe('turn 2');
    // The doc's own nesting is kept: the subagent span under the spawn_subagent call that started it.
    expect(of('spn_sub').parentSpanId).toBe(otlpSpanId('spn_spawn'));
  });

  it('hangs each child session under the span that started it', () => {
    // A finished subagent: under its subagent span (which brackets its run, under spawn_subagent).
    expect(byId.get(otlpSessionSpanId(SUB))!.parentSpanId).toBe(otlpSpanId('spn_sub'));
    // A subagent still running has no subagent span yet: under the spawn_subagent call its meta names.
    expect(byId.get(otlpSessionSpanId(SUB_RUNNING))!.parentSpanId).toBe(otlpSpanId('spn_spawn2'));
    // A workflow agent: under its workflow-agent span.
    expect(byId.get(otlpSessionSpanId(WF))!.parentSpanId).toBe(otlpSpanId('spn_wf'));
    expect(attr(byId.get(otlpSessionSpanId(WF))!, 'boocode.parent_session.id')).toBe(LEAD);
  });

  it('makes turn spans run from their first start to their last end, and session spans bracket their turns', () => {
    const ns = (s: OtlpSpan) => [BigInt(s.startTimeUnixNano), BigInt(s.endTimeUnixNano)] as const;
    const turn1 = ns(byId.get(otlpTurnSpanId(LEAD, 1))!);
    // spn_m1 starts first; the subagent span (T0+900) ends last.
    expect(turn1).toEqual([BigInt(T0) * 1_000_000n, BigInt(T0 + 900) * 1_000_000n]);
    // The open workflow-agent span ends at `now`, so its turn does.
    expect(ns(byId.get(otlpTurnSpanId(LEAD, 2))!)).toEqual([BigInt(T0 + 2000) * 1_000_000n, BigInt(NOW) * 1_000_000n]);
    for (const s of spans) {
      const kind = attr(s, 'boocode.span.kind');
      if (kind === 'session' || !s.parentSpanId) continue;
      const parent = byId.get(s.parentSpanId)!;
      if (attr(parent, 'boocode.span.kind') !== 'turn' && attr(parent, 'boocode.span.kind') !== 'session') continue;
      const [ps, pe] = ns(parent);
      const [cs, ce] = ns(s);
      expect(cs >= ps && ce <= pe, `${s.name} inside ${parent.name}`).toBe(true);
    }
    expect(ns(byId.get(otlpSessionSpanId(WF))!)).toEqual([
      BigInt(T0 + 2200) * 1_000_000n,
      BigInt(T0 + 2700) * 1_000_000n,
    ]);
  });

  it('keeps the GenAI semantic-convention attributes, with each session its own provider', () => {
    expect(attr(of('spn_m1'), 'gen_ai.operation.name')).toBe('chat');
    expect(attr(of('spn_m1'), 'gen_ai.request.model')).toBe('deepseek-chat');
    expect(attr(of('spn_m1'), 'gen_ai.system')).toBe('deepseek');
    expect(of('spn_m1').name).toBe('chat deepseek-chat');
    expect(attr(of('spn_s1'), 'gen_ai.system')).toBe('openai');
    expect(attr(of('spn_s1'), 'gen_ai.conversation.id')).toBe(SUB);
    expect(attr(of('spn_s2'), 'gen_ai.tool.name')).toBe('read_file');
    expect(of('spn_s2').status).toEqual({ code: 2, message: 'no such file' });
    expect(attr(of('spn_wf'), 'gen_ai.operation.name')).toBe('invoke_agent');
    expect(attr(of('spn_wf'), 'boocode.child_session.id')).toBe(WF);
  });

  it('names everything the same on a second export', async () => {
    expect(await exportTree(recordedTree())).toEqual(req);
  });

  it('validates against the OTLP/JSON schema and survives a round trip through the opentelemetry-proto messages', () => {
    const json = JSON.parse(JSON.stringify(req));
    const parsed = OtlpExportTraceServiceRequest.safeParse(json);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const trip = protobufRoundTrip(json);
    expect(trip.verifyError).toBeNull();
    expect(trip.decoded).toEqual(trip.expected);
    // The check has teeth: a field the proto lacks is dropped on the way, and so is a value of the wrong type.
    const misnamed = JSON.parse(JSON.stringify(json));
    const first = misnamed.resourceSpans[1].scopeSpans[0].spans[0];
    first.parentSpanID = first.parentSpanId;
    delete first.parentSpanId;
    const bad = protobufRoundTrip(misnamed);
    expect(bad.decoded).not.toEqual(bad.expected);
    const wrongType = JSON.parse(JSON.stringify(json));
    wrongType.resourceSpans[1].scopeSpans[0].spans[0].kind = 'internal-ish';
    const worse = protobufRoundTrip(wrongType);
    expect(worse.decoded).not.toEqual(worse.expected);
  });

  it('puts a child exported on its own at the root of its own tree', () => {
    const alone = sessionsToOtlp(
      [{ id: SUB, spans: [{ id: 'spn_x', kind: 'model', name: 'chat', turn: 1, startedAt: T0, status: 'open' }] }],
      { now: T0 + 1 },
    );
    const all = allSpans(alone);
    expect(all.filter((s) => !s.parentSpanId).map((s) => s.spanId)).toEqual([otlpSessionSpanId(SUB)]);
    expect(sessionsToOtlp([{ id: LEAD, spans: [] }])).toEqual({ resourceSpans: [] });
  });
});

describe.each(testBackends({ socket: false }))('exportSessionOtlp tree from the projection on $name', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('follows child_session_id to the subagent and workflow agent and nests them as the doc export does', async () => {
    const docs = recordedTree();
    const projector = createSessionProjector({ query: db.query });
    for (const [id, doc] of docs) await projector.project(sessionDocName(id), doc);
    const fromTables = allSpans(await exportSessionOtlp(db.query, LEAD, { now: NOW }));
    const fromDocs = allSpans(await exportTree(docs));
    const edges = (list: OtlpSpan[]) => list.map((s) => `${s.spanId}<-${s.parentSpanId ?? 'root'}`).sort();
    // The projection has no subagent records: the subagent still running (no subagent span yet) is not found.
    const running = new Set([otlpSessionSpanId(SUB_RUNNING), otlpTurnSpanId(SUB_RUNNING, 1), otlpSpanId('spn_r1')]);
    expect(edges(fromTables)).toEqual(edges(fromDocs.filter((s) => !running.has(s.spanId))));
    expect(new Set(fromTables.map((s) => s.traceId))).toEqual(new Set([otlpTraceId(LEAD)]));
  });
});
