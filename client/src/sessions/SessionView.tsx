// One session: its messages (read-only until the agent issue adds the composer and live stream)
// and the side panes that later issues fill (traces, timeline, cache, agents, workflows).
import { sessionDocName } from '@boocode/shared/doc/names';
import type { Message } from '@boocode/shared/doc/session-schema';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { lazy, Suspense, useEffect } from 'react';
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
  const { loaded, meta, messages, doc } = useSession(sessionId);
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
          <MessageList messages={messages} loaded={loaded} />
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

function MessageList({ messages, loaded }: { messages: Message[]; loaded: boolean }) {
  if (!loaded) return <p className="empty-state muted">Loading…</p>;
  if (messages.length === 0) {
    return <p className="empty-state muted">No messages yet. The composer arrives with the agent.</p>;
  }
  return (
    <ol className="messages" data-testid="messages">
      {messages.map((m) => (
        <li key={m.id} className={`message role-${m.role}`} data-testid="message" data-message-id={m.id}>
          <div className="message-meta">
            <span className="role">{m.role}</span>
            {m.status !== 'done' && <span className={`tag status-${m.status}`}>{m.status}</span>}
            <time className="muted">{new Date(m.createdAt).toLocaleTimeString()}</time>
          </div>
          {m.reasoning && (
            <details className="reasoning">
              <summary>Reasoning</summary>
              <div className="text">{m.reasoning}</div>
            </details>
          )}
          <div className="text">{m.text}</div>
          {m.error && <p className="error-text">{m.error.message}</p>}
        </li>
      ))}
    </ol>
  );
}
