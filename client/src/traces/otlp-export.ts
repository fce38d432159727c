// Export a session's spans, with those of every session it started (subagents, workflow agents), as one
// OTLP/JSON trace tree: to a file, or POSTed to an OTLP/HTTP collector set in the synced settings. The
// conversion itself (tree, GenAI conventions, ids, nanoseconds) is shared/otlp's.
import { sessionDocName } from '@boocode/shared/doc/names';
import { collectOtlpSessions } from '@boocode/shared/otlp/collect-otlp-sessions';
import { OTLP_TRACES_PATH } from '@boocode/shared/otlp/otlp-trace-schema';
import { sessionsToOtlp } from '@boocode/shared/otlp/spans-to-otlp';
import type { DocHandle } from '../docs/doc-store.ts';

export type OpenDoc = (name: string) => DocHandle;

export async function otlpRequestBody(openDoc: OpenDoc, sessionId: string): Promise<string> {
  const sessions = await collectOtlpSessions((id) => openDoc(sessionDocName(id)), sessionId);
  return JSON.stringify(sessionsToOtlp(sessions, { now: Date.now() }));
}

export async function downloadOtlpFile(openDoc: OpenDoc, sessionId: string): Promise<void> {
  const blob = new Blob([await otlpRequestBody(openDoc, sessionId)], { type: 'application/json' });
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

export type OtlpSendResult =
  | { ok: true }
  | { ok: false; code: 'OTLP_READ' | 'OTLP_NETWORK' | 'OTLP_HTTP'; message: string };

export async function sendOtlp(endpoint: string, openDoc: OpenDoc, sessionId: string): Promise<OtlpSendResult> {
  const url = otlpTracesUrl(endpoint);
  let body: string;
  try {
    body = await otlpRequestBody(openDoc, sessionId);
  } catch (e) {
    return { ok: false, code: 'OTLP_READ', message: `Could not read the sessions to export: ${(e as Error).message}` };
  }
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  } catch (e) {
    return { ok: false, code: 'OTLP_NETWORK', message: `Could not reach ${url}: ${(e as Error).message}` };
  }
  if (!res.ok) return { ok: false, code: 'OTLP_HTTP', message: `${url} answered ${res.status} ${res.statusText}` };
  return { ok: true };
}
