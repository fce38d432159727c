// The session view's trace, timeline and cache panes, each loaded on first use (React.lazy) so the
// session list route does not carry the waterfall, the virtualiser and the OTLP exporter.
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import { lazy, Suspense } from 'react';
import type * as Y from 'yjs';

const TracePane = lazy(() => import('./TracePane.tsx'));
const TimelinePane = lazy(() => import('../timeline/TimelinePane.tsx'));
const CachePane = lazy(() => import('../cache/CachePane.tsx'));

const OBSERVABILITY_PANES = ['traces', 'timeline', 'cache'] as const;
export type ObservabilityPaneId = (typeof OBSERVABILITY_PANES)[number];

export function isObservabilityPane(pane: string): pane is ObservabilityPaneId {
  return (OBSERVABILITY_PANES as readonly string[]).includes(pane);
}

export function ObservabilityPane(props: {
  pane: ObservabilityPaneId;
  sessionId: string;
  doc: Y.Doc | undefined;
  meta: SessionMeta | undefined;
}) {
  const { pane, ...rest } = props;
  return (
    <Suspense fallback={<p className="empty-state muted">Loading…</p>}>
      {pane === 'traces' && <TracePane {...rest} />}
      {pane === 'timeline' && <TimelinePane {...rest} />}
      {pane === 'cache' && <CachePane {...rest} />}
    </Suspense>
  );
}
