// One session: the chat (composer, live stream, tool cards)
// and the side panes (traces, timeline, cache, agents, workflows).
import { sessionDocName } from '@boocode/shared/doc/names';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { lazy, Suspense, useEffect } from 'react';
import { AgentsPane } from '../agents/AgentsPane.tsx';
import { ChatView } from '../chat/ChatView.tsx';
import { SyncBadge } from '../sync/SyncBadge.tsx';
import { isObservabilityPane, ObservabilityPane } from '../traces/ObservabilityPane.tsx';
import { WorkflowResumer } from '../workflows/WorkflowResumer.tsx';
import { useSession, useSessionEntry } from './session-hooks.ts';
import { SESSION_PANES } from './session-panes.ts';

const sessionRoute = getRouteApi('/s/$sessionId');
// Its own chunk: the workflow engine's page side loads only when the pane opens.
const WorkflowsPane = lazy(() => import('../workflows/WorkflowsPane.tsx').then((m) => ({ default: m.WorkflowsPane })));

export function SessionView() {
  const { sessionId } = sessionRoute.useParams();
  const { pane = 'traces' } = sessionRoute.useSearch();
  const navigate = useNavigate();
  const entry = useSessionEntry(sessionId);
  const { loaded, meta, doc } = useSession(sessionId);
  const title = entry?.title ?? meta?.title;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement)) void navigate({ to: '/' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);

  const unknown = loaded && !entry && !meta;
  return (
    <main className="page session-view">
      <section className="conversation" aria-label="Conversation">
        <header className="session-head">
          <Link to="/" className="back" title="Back to sessions (Esc)">
            ←
          </Link>
          <h1 data-testid="session-title">{title ?? (loaded ? 'Unknown session' : '…')}</h1>
          {entry?.parentId && <ParentLink parentId={entry.parentId} />}
          {entry?.deletedAt !== undefined && <span className="tag danger">deleted</span>}
          {entry?.archivedAt !== undefined && <span className="tag">archived</span>}
          <span className="spacer" />
          <SyncBadge docName={sessionDocName(sessionId)} testId="session-sync-status" />
        </header>
        {unknown ? (
          <p className="empty-state">
            This session is not on this device yet. If it was made on another device, it appears once sync reaches it.
          </p>
        ) : loaded && doc ? (
          <ChatView sessionId={sessionId} doc={doc} />
        ) : (
          <p className="empty-state muted">Loading…</p>
        )}
      </section>
      <aside className="side-pane" aria-label="Session details">
        <div className="tabs" role="tablist">
          {SESSION_PANES.map((p) => (
            <Link
              key={p.id}
              to="/s/$sessionId"
              params={{ sessionId }}
              search={{ pane: p.id }}
              role="tab"
              aria-selected={p.id === pane}
              className={p.id === pane ? 'tab active' : 'tab'}
            >
              {p.label}
            </Link>
          ))}
        </div>
        {isObservabilityPane(pane) ? (
          <div className="pane-body" role="tabpanel">
            <ObservabilityPane pane={pane} sessionId={sessionId} doc={doc} meta={meta} />
          </div>
        ) : pane === 'agents' ? (
          <div className="pane-body" role="tabpanel">
            <AgentsPane sessionId={sessionId} doc={doc} />
          </div>
        ) : pane === 'workflows' ? (
          <div className="pane-body" role="tabpanel">
            <Suspense fallback={<p className="empty-state muted">Loading workflows…</p>}>
              <WorkflowsPane sessionId={sessionId} />
            </Suspense>
          </div>
        ) : (
          <div className="pane-body empty-state" role="tabpanel">
            {SESSION_PANES.find((p) => p.id === pane)?.empty}
          </div>
        )}
      </aside>
      <WorkflowResumer sessionId={sessionId} />
    </main>
  );
}

/** A child session (subagent, workflow agent) says whose it is, one click away. */
function ParentLink({ parentId }: { parentId: string }) {
  const parent = useSessionEntry(parentId);
  return (
    <Link
      to="/s/$sessionId"
      params={{ sessionId: parentId }}
      search={{ pane: 'agents' }}
      className="tag"
      data-testid="parent-link"
    >
      agent of {parent?.title ?? 'another session'}
    </Link>
  );
}
