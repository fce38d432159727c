// Checks an OTLP/JSON request against the real opentelemetry-proto messages (the protobufjs code generated
// from them, shipped in @opentelemetry/otlp-proto-exporter-base): the JSON is turned into the message
// (hex ids to bytes), encoded, decoded and turned back. A field the proto does not have is dropped on the
// way, as is a value of the wrong type, so `decoded` equals `expected` only if every field is a real one.
import { createRequire } from 'node:module';

interface ProtoMessageType {
  verify(obj: unknown): string | null;
  fromObject(obj: unknown): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
  toObject(
    msg: unknown,
    opts: { longs: StringConstructor; bytes: StringConstructor; enums: NumberConstructor },
  ): unknown;
}

const root = createRequire(import.meta.url)('@opentelemetry/otlp-proto-exporter-base/build/src/generated/root') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ProtoMessageType } } } } };
};
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** OTLP/JSON (hex ids) to protobuf-JSON (base64 bytes): the one place the two encodings differ for us. */
function hexIdsToBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIdsToBase64);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      ID_KEYS.has(k) && typeof v === 'string' ? Buffer.from(v, 'hex').toString('base64') : hexIdsToBase64(v),
    ]),
  );
}

export function protobufRoundTrip(otlpJson: unknown) {
  const expected = hexIdsToBase64(otlpJson);
  const verifyError = Request.verify(Request.fromObject(expected));
  const bytes = Request.encode(Request.fromObject(expected)).finish();
  const decoded = Request.toObject(Request.decode(bytes), { longs: String, bytes: String, enums: Number });
  return { expected, decoded: JSON.parse(JSON.stringify(decoded)), verifyError, bytes: bytes.length };
}
