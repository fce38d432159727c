// Cache-shape telemetry: per model call, the prompt's segments as a stacked bar with the cached prefix
// overlaid, the hit rate, the session's cumulative hit rate and savings, and the explainer's reason when a
// call's hit rate drops. Virtualised like the waterfall: a long session has thousands of model calls.
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import { Link } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useMemo, useRef } from 'react';
import type * as Y from 'yjs';
import { scrollChatToMessage, showSpanInTrace } from '../traces/chat-jump.ts';
import { formatCost, formatPercent, formatTokens } from '../traces/span-format.ts';
import { useSpans } from '../traces/span-hooks.ts';
import { barScale, type CacheCall, cacheCalls, cacheSummary } from './cache-calls.ts';
import { SEGMENT_KINDS, SEGMENT_LABEL } from './prompt-segments.ts';

export function CachePane({
  sessionId,
  doc,
  meta,
}: {
  sessionId: string;
  doc: Y.Doc | undefined;
  meta: SessionMeta | undefined;
}) {
  const spans = useSpans(doc);
  const provider = meta?.provider;
  const calls = useMemo(() => cacheCalls(spans, provider), [spans, provider]);
  const summary = useMemo(() => cacheSummary(calls), [calls]);
  const scale = useMemo(() => barScale(calls), [calls]);
  const scrollRef = useRef<HTMLDivElement>(null);
  // Stable callbacks: the virtualiser recomputes every row's offset when they change.
  const getItemKey = useCallback((i: number) => calls[i]?.span.id ?? i, [calls]);
  const estimateSize = useCallback((i: number) => (calls[i]?.drop ? 96 : 62), [calls]);
  const virtualizer = useVirtualizer({
    count: calls.length,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey,
    overscan: 8,
  });

  if (calls.length === 0) {
    return <p className="empty-state">Prompt cache hits and misses per model call will be shown here.</p>;
  }
  return (
    <section className="cache-pane obs-pane" aria-label="Prompt cache" data-testid="cache-pane">
      <div className="obs-toolbar cache-summary" data-testid="cache-summary">
        <span>
          <strong>{summary.hitRate === undefined ? 'not reported' : formatPercent(summary.hitRate)}</strong> of prompt
          tokens from cache
        </span>
        {summary.hitRate !== undefined && (
          <span className="muted">
            {formatTokens(summary.hitTokens)} / {formatTokens(summary.promptTokens)} tokens
          </span>
        )}
        <span className="muted">
          saved {summary.savings === undefined ? 'not reported' : formatCost(summary.savings)}
        </span>
        <span className="muted">
          {summary.reportedCalls} of {summary.calls} calls report cache data
        </span>
      </div>
      <SegmentLegend />
      <div className="span-scroll" ref={scrollRef}>
        <ol className="cache-calls" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const call = calls[item.index];
            if (!call) return null;
            return (
              <CacheCallRow
                key={item.key}
                sessionId={sessionId}
                call={call}
                scale={scale}
                index={item.index}
                start={item.start}
                measure={virtualizer.measureElement}
              />
            );
          })}
        </ol>
      </div>
    </section>
  );
}

function SegmentLegend() {
  return (
    <div className="cache-legend" aria-hidden>
      {SEGMENT_KINDS.map((k) => (
        <span key={k}>
          <i className={`seg seg-${k}`} /> {SEGMENT_LABEL[k]}
        </span>
      ))}
      <span>
        <i className="seg seg-cached" /> cached prefix
      </span>
    </div>
  );
}

function CacheCallRow(p: {
  sessionId: string;
  call: CacheCall;
  scale: number;
  index: number;
  start: number;
  measure: (el: HTMLElement | null) => void;
}) {
  const { call } = p;
  const total = Math.max(call.promptTokens, 1);
  const segTotal = call.segments.reduce((n, s) => n + s.tokens, 0);
  // Segments are estimates; draw them at the provider's prompt size so the cached overlay lines up.
  const segScale = segTotal > 0 ? call.promptTokens / segTotal : 1;
  const messageId = call.span.messageId;
  return (
    <li
      ref={p.measure}
      data-index={p.index}
      className={`cache-call${call.drop ? ' dropped' : ''}`}
      data-testid="cache-row"
      data-span-id={call.span.id}
      data-hit-rate={call.rate === undefined ? '' : call.rate.toFixed(3)}
      data-report={call.report}
      data-hit-tokens={call.hit ?? ''}
      style={{ transform: `translateY(${p.start}px)` }}
    >
      <div className="cache-call-head">
        <span className="cache-call-name">
          #{call.number} · turn {call.span.turn}
          {call.span.model ? ` · ${call.span.model}` : ''}
        </span>
        <span className="spacer" />
        <span className="cache-rate" data-testid="cache-rate">
          {call.report === 'reported' && call.rate !== undefined
            ? `${formatPercent(call.rate)} hit`
            : call.report === 'no-usage' && call.span.status === 'open'
              ? 'waiting…'
              : 'not reported'}
        </span>
        {call.cumulativeRate !== undefined && (
          <span className="muted cache-cumulative" title="Cumulative hit rate of the session up to this call">
            Σ {formatPercent(call.cumulativeRate)}
          </span>
        )}
        <Link
          to="/s/$sessionId"
          params={{ sessionId: p.sessionId }}
          search={{ pane: 'traces' }}
          className="link-button"
          title="Show this call in the trace"
          data-testid="cache-to-trace"
          onClick={() => showSpanInTrace({ spanId: call.span.id })}
        >
          trace
        </Link>
        {messageId && (
          <button
            type="button"
            className="link-button"
            title="Show the message in the chat"
            onClick={() => scrollChatToMessage(messageId)}
          >
            ↗
          </button>
        )}
      </div>
      <div className="cache-bar" style={{ width: `${(total / p.scale) * 100}%` }} data-testid="cache-bar">
        {call.segments.length > 0 ? (
          call.segments.map((s, i) => (
            <span
              // biome-ignore lint/suspicious/noArrayIndexKey: segments have a fixed order and no id of their own
              key={i}
              className={`seg seg-${s.kind}`}
              style={{ flexGrow: s.tokens * segScale }}
              title={`${SEGMENT_LABEL[s.kind]}: ${formatTokens(s.tokens)} tokens, ${s.bytes.toLocaleString()} bytes, hash ${s.hash.slice(0, 10)}`}
            />
          ))
        ) : (
          <span className="seg seg-unknown" style={{ flexGrow: 1 }} title="No segments recorded" />
        )}
        {call.hit !== undefined && call.hit > 0 && (
          <span
            className="cache-prefix"
            data-testid="cache-prefix"
            style={{ width: `${Math.min(1, call.hit / total) * 100}%` }}
            title={`${formatTokens(call.hit)} tokens from cache`}
          />
        )}
      </div>
      <div className="cache-call-foot muted">
        {formatTokens(call.promptTokens)} in
        {call.hit !== undefined && ` · ${formatTokens(call.hit)} cached`}
        {call.savings !== undefined && ` · saved ${formatCost(call.savings)}`}
        {call.cumulativeSavings !== undefined && ` (Σ ${formatCost(call.cumulativeSavings)})`}
      </div>
      {call.drop && (
        <p className="cache-break" data-testid="cache-break">
          Hit rate fell from {formatPercent(call.drop.from)} to {formatPercent(call.drop.to)}:{' '}
          {call.drop.explanation?.reason ??
            'no segment before the new input changed (the provider may have evicted the cache)'}
        </p>
      )}
    </li>
  );
}

export default CachePane;
