/**
 * Pushes an OTLP/JSON trace export to an OTLP/HTTP receiver (`<endpoint>/v1/traces`). The fetch function
 * is passed in (the page's, a worker's or Node's), so this module stays free of DOM and Node types.
 */
import { OTLP_TRACES_PATH, type OtlpExportTraceServiceRequest } from './otlp-trace-schema.ts';

/** The part of `fetch` this needs. */
export type OtlpFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: unknown },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export type OtlpPostResult =
  | { ok: true; status: number; rejectedSpans: number; message?: string }
  | { ok: false; code: 'OTLP_HTTP_ERROR' | 'OTLP_UNREACHABLE'; status?: number; message: string };

/**
 * `endpoint` is the receiver's base URL (`http://localhost:4318`) or the full traces URL; `headers` carry
 * what the receiver wants (e.g. Langfuse's `Authorization: Basic ...`). Never throws: failures are values.
 */
export async function postOtlpTraces(
  fetchFn: OtlpFetch,
  endpoint: string,
  request: OtlpExportTraceServiceRequest,
  headers: Record<string, string> = {},
): Promise<OtlpPostResult> {
  const url = tracesUrl(endpoint);
  let res: Awaited<ReturnType<OtlpFetch>>;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (err) {
    return { ok: false, code: 'OTLP_UNREACHABLE', message: `${url}: ${(err as Error)?.message ?? String(err)}` };
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    return {
      ok: false,
      code: 'OTLP_HTTP_ERROR',
      status: res.status,
      message: `${url} answered ${res.status}: ${text.slice(0, 500)}`,
    };
  }
  // A receiver may accept the request but refuse some spans (ExportTraceServiceResponse.partialSuccess).
  const partial = parsePartialSuccess(text);
  return {
    ok: true,
    status: res.status,
    rejectedSpans: partial.rejectedSpans,
    ...(partial.message ? { message: partial.message } : {}),
  };
}

export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith(OTLP_TRACES_PATH) ? base : `${base}${OTLP_TRACES_PATH}`;
}

function parsePartialSuccess(text: string): { rejectedSpans: number; message?: string } {
  try {
    const body = JSON.parse(text) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    const p = body?.partialSuccess;
    const rejected = Number(p?.rejectedSpans ?? 0);
    return {
      rejectedSpans: Number.isFinite(rejected) ? rejected : 0,
      ...(p?.errorMessage ? { message: p.errorMessage } : {}),
    };
  } catch {
    return { rejectedSpans: 0 };
  }
}
