import { OtlpExportTraceServiceRequest } from '@boocode/shared/otlp/otlp-trace-schema';
import { type OtlpFetch, postOtlpTraces, tracesUrl } from '@boocode/shared/otlp/post-otlp-traces';
import { spansToOtlp } from '@boocode/shared/otlp/spans-to-otlp';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const nodeFetch = fetch as unknown as OtlpFetch;
const request = spansToOtlp('ses_push', [
  {
    id: 'spn_1',
    kind: 'model',
    name: 'chat',
    turn: 1,
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_000_500,
    status: 'ok',
    model: 'm',
  },
]);

describe('postOtlpTraces against a local OTLP/HTTP receiver', () => {
  let receiver: FastifyInstance;
  let base: string;
  const received: { headers: Record<string, unknown>; body: unknown }[] = [];

  beforeAll(async () => {
    receiver = Fastify();
    receiver.post('/v1/traces', async (req, reply) => {
      received.push({ headers: req.headers, body: req.body });
      if (req.headers.authorization !== 'Basic abc') return reply.code(401).send('no');
      return { partialSuccess: { rejectedSpans: '0' } };
    });
    await receiver.listen({ port: 0, host: '127.0.0.1' });
    const addr = receiver.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('POSTs the export as JSON to <endpoint>/v1/traces with the configured headers', async () => {
    const res = await postOtlpTraces(nodeFetch, `${base}/`, request, { authorization: 'Basic abc' });
    expect(res).toEqual({ ok: true, status: 200, rejectedSpans: 0 });
    const last = received.at(-1)!;
    expect(last.headers['content-type']).toBe('application/json');
    expect(OtlpExportTraceServiceRequest.parse(last.body)).toEqual(request);
  });

  it('returns a refusal or an unreachable receiver as a value, never a throw', async () => {
    const refused = await postOtlpTraces(nodeFetch, base, request);
    expect(refused).toMatchObject({ ok: false, code: 'OTLP_HTTP_ERROR', status: 401 });
    const unreachable = await postOtlpTraces(nodeFetch, 'http://127.0.0.1:1', request);
    expect(unreachable).toMatchObject({ ok: false, code: 'OTLP_UNREACHABLE' });
    expect(tracesUrl('http://x:4318/v1/traces')).toBe('http://x:4318/v1/traces');
  });
});
