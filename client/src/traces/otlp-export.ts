// Export a session's spans as OTLP/JSON: to a file, or POSTed to an OTLP/HTTP collector set in the synced
// settings. The conversion itself (GenAI conventions, ids, nanoseconds) is shared/otlp's.
import type { SessionMeta, Span } from '@boocode/shared/doc/session-schema';
import { OTLP_TRACES_PATH } from '@boocode/shared/otlp/otlp-trace-schema';
import { spansToOtlp } from '@boocode/shared/otlp/spans-to-otlp';

export function otlpRequestBody(sessionId: string, spans: readonly Span[], meta: SessionMeta | undefined): string {
  const request = spansToOtlp(sessionId, spans, {
    provider: meta?.provider,
    model: meta?.model,
    title: meta?.title,
    now: Date.now(),
  });
  return JSON.stringify(request);
}

export function downloadOtlpFile(sessionId: string, spans: readonly Span[], meta: SessionMeta | undefined): void {
  const blob = new Blob([otlpRequestBody(sessionId, spans, meta)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `boocode-${sessionId}.otlp.json`;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke after the click has been handled; revoking at once can cancel the download in some browsers.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `https://collector:4318` becomes `https://collector:4318/v1/traces`; a full traces URL is kept. */
export function otlpTracesUrl(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/\/+$/, '');
  return trimmed.endsWith(OTLP_TRACES_PATH) ? trimmed : `${trimmed}${OTLP_TRACES_PATH}`;
}

export type OtlpSendResult = { ok: true } | { ok: false; code: 'OTLP_NETWORK' | 'OTLP_HTTP'; message: string };

export async function sendOtlp(
  endpoint: string,
  sessionId: string,
  spans: readonly Span[],
  meta: SessionMeta | undefined,
): Promise<OtlpSendResult> {
  const url = otlpTracesUrl(endpoint);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: otlpRequestBody(sessionId, spans, meta),
    });
  } catch (e) {
    return { ok: false, code: 'OTLP_NETWORK', message: `Could not reach ${url}: ${(e as Error).message}` };
  }
  if (!res.ok) return { ok: false, code: 'OTLP_HTTP', message: `${url} answered ${res.status} ${res.statusText}` };
  return { ok: true };
}
