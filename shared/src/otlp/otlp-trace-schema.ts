/**
 * The OTLP/JSON shape of an ExportTraceServiceRequest (opentelemetry-proto, JSON encoding): ids are
 * lowercase hex (not base64), 64-bit integers and nanosecond times are decimal strings, enums are numbers.
 * Only the parts BooCode emits are modelled; a receiver (collector, Jaeger, Langfuse, Phoenix) accepts it.
 */
import { z } from 'zod';

export const OTLP_TRACES_PATH = '/v1/traces';

export const OtlpSpanKind = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
export const OtlpStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

const hexId = (chars: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${chars}}$`), `${chars} lowercase hex characters`)
    .refine((s) => /[1-9a-f]/.test(s), 'an all-zero id is invalid');

export const OtlpTraceId = hexId(32);
export const OtlpSpanId = hexId(16);
export const OtlpUnixNano = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, 'nanoseconds as a decimal string');

export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } };

export const OtlpAnyValue: z.ZodType<OtlpAnyValue> = z.lazy(() =>
  z.union([
    z.strictObject({ stringValue: z.string() }),
    z.strictObject({ boolValue: z.boolean() }),
    z.strictObject({ intValue: z.string().regex(/^-?[0-9]{1,19}$/) }),
    z.strictObject({ doubleValue: z.number() }),
    z.strictObject({ arrayValue: z.strictObject({ values: z.array(OtlpAnyValue) }) }),
  ]),
);

export const OtlpKeyValue = z.strictObject({ key: z.string().min(1), value: OtlpAnyValue });
export type OtlpKeyValue = z.infer<typeof OtlpKeyValue>;

export const OtlpStatus = z.strictObject({
  code: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  message: z.string().optional(),
});

export const OtlpSpan = z
  .strictObject({
    traceId: OtlpTraceId,
    spanId: OtlpSpanId,
    parentSpanId: OtlpSpanId.optional(),
    name: z.string().min(1),
    kind: z.number().int().min(0).max(5),
    startTimeUnixNano: OtlpUnixNano,
    endTimeUnixNano: OtlpUnixNano,
    attributes: z.array(OtlpKeyValue),
    status: OtlpStatus,
  })
  .refine((s) => BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano), 'a span cannot end before it starts');
export type OtlpSpan = z.infer<typeof OtlpSpan>;

export const OtlpScopeSpans = z.strictObject({
  scope: z.strictObject({ name: z.string(), version: z.string().optional() }),
  spans: z.array(OtlpSpan),
});

export const OtlpResourceSpans = z.strictObject({
  resource: z.strictObject({ attributes: z.array(OtlpKeyValue) }),
  scopeSpans: z.array(OtlpScopeSpans),
});
export type OtlpResourceSpans = z.infer<typeof OtlpResourceSpans>;

export const OtlpExportTraceServiceRequest = z.strictObject({ resourceSpans: z.array(OtlpResourceSpans) });
export type OtlpExportTraceServiceRequest = z.infer<typeof OtlpExportTraceServiceRequest>;
