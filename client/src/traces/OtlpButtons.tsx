// "Export OTLP JSON" (a file) and, when the synced settings name a collector, "Send to OTLP endpoint".
// Both export the session with every session it started, as one trace tree (otlp-export.ts).
import type { Span } from '@boocode/shared/doc/session-schema';
import { getSetting, observeSettings } from '@boocode/shared/doc/space';
import { useMemo, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { useDocVersion } from '../docs/doc-hooks.ts';
import { downloadOtlpFile, sendOtlp } from './otlp-export.ts';

type SendState = { kind: 'idle' } | { kind: 'sending' } | { kind: 'sent' } | { kind: 'failed'; message: string };

export function OtlpButtons({ sessionId, spans }: { sessionId: string; spans: readonly Span[] }) {
  const { space, store } = useServices();
  const version = useDocVersion(space, observeSettings);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  const endpoint = useMemo(() => getSetting(space, 'otlpEndpoint')?.trim() || undefined, [space, version]);
  const [send, setSend] = useState<SendState>({ kind: 'idle' });
  const openDoc = (name: string) => store.openDoc(name);

  const onSend = async () => {
    if (!endpoint) return;
    setSend({ kind: 'sending' });
    const res = await sendOtlp(endpoint, openDoc, sessionId);
    setSend(res.ok ? { kind: 'sent' } : { kind: 'failed', message: res.message });
  };
  const onDownload = () =>
    downloadOtlpFile(openDoc, sessionId).catch((e: unknown) =>
      setSend({ kind: 'failed', message: `Could not export the sessions: ${(e as Error)?.message ?? String(e)}` }),
    );

  return (
    <span className="otlp-buttons">
      <button
        type="button"
        data-testid="otlp-export"
        disabled={spans.length === 0}
        onClick={() => void onDownload()}
        title="Download the spans, with those of the subagents and workflow agents it started, as one OpenTelemetry trace (OTLP/JSON)"
      >
        Export OTLP JSON
      </button>
      {endpoint && (
        <button
          type="button"
          data-testid="otlp-send"
          disabled={spans.length === 0 || send.kind === 'sending'}
          onClick={() => void onSend()}
          title={`POST to ${endpoint}`}
        >
          {send.kind === 'sending' ? 'Sending…' : send.kind === 'sent' ? 'Sent ✓' : 'Send to OTLP endpoint'}
        </button>
      )}
      {send.kind === 'failed' && (
        <span className="error-text" role="alert">
          {send.message}
        </span>
      )}
    </span>
  );
}
