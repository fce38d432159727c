/**
 * Sessions' spans as one OTLP/JSON ExportTraceServiceRequest, for a file or an OTLP/HTTP endpoint
 * (`POST <endpoint>/v1/traces`, application/json), shaped as a tree a trace viewer (Jaeger, Langfuse,
 * Phoenix) nests:
 *
 *   session (synthetic) → turn N (synthetic) → model / tool / workflow-agent spans
 *                                              tool spawn_subagent → subagent span → child session → …
 *
 * The tree's rules (which span hangs where, turn extents, which span started a child) are the trace
 * viewer's too: shared/src/trace-tree/session-tree.ts.
 * Invariants: every span but the first session's root has a parent that is in the same export; all spans
 * share one trace (named by the first session, the lead); a turn span runs from the first start to the
 * last end of its spans and a session span brackets its turns. Ids are hashes, so two exports are equal.
 */
import type { Span } from '../doc/session-schema.ts';
import { childSessionStarters, compareSpans, turnExtents } from '../trace-tree/session-tree.ts';
import {
  int,
  msToUnixNano,
  type OtlpSpanOptions,
  otlpSessionSpanId,
  otlpSpanId,
  otlpTraceId,
  otlpTurnSpanId,
  spanEndMs,
  str,
  toOtlpSpan,
} from './otlp-span.ts';
import {
  type OtlpExportTraceServiceRequest,
  type OtlpKeyValue,
  type OtlpResourceSpans,
  type OtlpSpan,
  OtlpSpanKind,
  OtlpStatusCode,
} from './otlp-trace-schema.ts';

/** One session in an export, with what its meta says about where it came from. */
export interface OtlpSession {
  id: string;
  spans: readonly Span[];
  title?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  /** The session that started this one (a subagent's lead, a workflow agent's session). */
  parentId?: string | undefined;
  /** The span in the parent session that started this one (a subagent's spawn_subagent tool span). */
  parentSpanId?: string | undefined;
}

export interface OtlpExportOptions extends OtlpSpanOptions {
  serviceName?: string | undefined;
  serviceVersion?: string | undefined;
  /** Session whose id names the trace; the first session's when absent. */
  traceSessionId?: string | undefined;
}

export interface OtlpExportMeta extends OtlpExportOptions {
  title?: string | undefined;
}

/** One session's spans (no child sessions) as a tree: session → turns → spans. */
export function spansToOtlp(sessionId: string, spans: readonly Span[], meta: OtlpExportMeta = {}) {
  return sessionsToOtlp(
    [{ id: sessionId, spans, title: meta.title, provider: meta.provider, model: meta.model }],
    meta,
  );
}

/**
 * `sessions[0]` is the root of the export (the lead); the others hang under the span that started them.
 * A session's own provider and model win over the options'; a session without spans is left out.
 */
export function sessionsToOtlp(
  sessions: readonly OtlpSession[],
  options: OtlpExportOptions = {},
): OtlpExportTraceServiceRequest {
  const present = sessions.filter((s) => s.spans.length > 0);
  const lead = present[0];
  if (!lead) return { resourceSpans: [] };
  const traceId = otlpTraceId(options.traceSessionId ?? sessions[0]!.id);
  const exported = new Set(present.flatMap((s) => s.spans.map((sp) => sp.id)));
  const sessionIds = new Set(present.map((s) => s.id));
  const starters = childSessionStarters(present);

  const rootParentOf = (s: OtlpSession): string | undefined => {
    if (s === lead) return undefined;
    const starter = starters.get(s.id);
    if (starter) return otlpSpanId(starter.id);
    if (s.parentSpanId && exported.has(s.parentSpanId)) return otlpSpanId(s.parentSpanId);
    if (s.parentId && s.parentId !== s.id && sessionIds.has(s.parentId)) return otlpSessionSpanId(s.parentId);
    // Not started from anything in the export: under the lead, so the export stays one tree.
    return otlpSessionSpanId(lead.id);
  };

  return {
    resourceSpans: present.map((s) => sessionResourceSpans(traceId, s, rootParentOf(s), exported, options)),
  };
}

function sessionResourceSpans(
  traceId: string,
  session: OtlpSession,
  rootParent: string | undefined,
  exported: ReadonlySet<string>,
  options: OtlpExportOptions,
): OtlpResourceSpans {
  const spanOptions: OtlpSpanOptions = {
    ...options,
    provider: session.provider ?? options.provider,
    model: session.model ?? options.model,
  };
  const sorted = [...session.spans].sort(compareSpans);
  const turnList = turnExtents(sorted, (span) => spanEndMs(span, options.now));
  const start = Math.min(...turnList.map((t) => t.start));
  const end = Math.max(...turnList.map((t) => t.end));

  const common = [str('gen_ai.conversation.id', session.id), str('session.id', session.id)];
  const rootSpanId = otlpSessionSpanId(session.id);
  const root = syntheticSpan(traceId, rootSpanId, rootParent, `session ${session.title || session.id}`, start, end, [
    ...common,
    str('boocode.span.kind', 'session'),
    ...(session.title ? [str('boocode.session.title', session.title)] : []),
    ...(session.parentId ? [str('boocode.parent_session.id', session.parentId)] : []),
  ]);
  const turnSpans = turnList.map((t) =>
    syntheticSpan(traceId, otlpTurnSpanId(session.id, t.turn), rootSpanId, `turn ${t.turn}`, t.start, t.end, [
      ...common,
      str('boocode.span.kind', 'turn'),
      int('boocode.turn', t.turn)!,
    ]),
  );
  // A span the doc nests (a subagent span under its spawn_subagent call) keeps that parent; the others
  // (model calls, tool calls, workflow agents) hang under their turn.
  const spans = sorted.map((span) =>
    toOtlpSpan(
      traceId,
      session.id,
      span,
      span.parentId && exported.has(span.parentId) ? otlpSpanId(span.parentId) : otlpTurnSpanId(session.id, span.turn),
      spanOptions,
    ),
  );

  const resource: OtlpKeyValue[] = [
    str('service.name', options.serviceName ?? 'boocode'),
    ...(options.serviceVersion ? [str('service.version', options.serviceVersion)] : []),
    str('session.id', session.id),
    ...(session.title ? [str('boocode.session.title', session.title)] : []),
  ];
  return {
    resource: { attributes: resource },
    scopeSpans: [
      {
        scope: { name: 'boocode', ...(options.serviceVersion ? { version: options.serviceVersion } : {}) },
        spans: [root, ...turnSpans, ...spans],
      },
    ],
  };
}

function syntheticSpan(
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  name: string,
  startMs: number,
  endMs: number,
  attributes: OtlpKeyValue[],
): OtlpSpan {
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    kind: OtlpSpanKind.INTERNAL,
    startTimeUnixNano: msToUnixNano(startMs),
    endTimeUnixNano: msToUnixNano(endMs),
    attributes,
    // A turn's or a session's outcome is not in its spans (a failed tool call does not fail the turn).
    status: { code: OtlpStatusCode.UNSET },
  };
}
