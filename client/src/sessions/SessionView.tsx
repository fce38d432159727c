// One session: the chat (composer, live stream, tool cards)
// and the side panes (traces, timeline, cache, agents, workflows).
import { sessionDocName } from '@boocode/shared/doc/names';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { lazy, type KeyboardEvent as ReactKeyboardEvent, Suspense, useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { AgentsPane } from '../agents/AgentsPane.tsx';
import { NARROW_SESSION, useMediaQuery } from '../app/use-media-query.ts';
import { ChatView } from '../chat/ChatView.tsx';
import { SyncBadge } from '../sync/SyncBadge.tsx';
import { SHOW_CHAT_EVENT, showSpanInTrace } from '../traces/chat-jump.ts';
import { isObservabilityPane, ObservabilityPane } from '../traces/ObservabilityPane.tsx';
import { WorkflowResumer } from '../workflows/WorkflowResumer.tsx';
import { useSession, useSessionEntry } from './session-hooks.ts';
import { SESSION_PANES, type SessionPane } from './session-panes.ts';

const sessionRoute = getRouteApi('/s/$sessionId');
// Its own chunk: the workflow engine's page side loads only when the pane opens.
const WorkflowsPane = lazy(() => import('../workflows/WorkflowsPane.tsx').then((m) => ({ default: m.WorkflowsPane })));

export function SessionView() {
  const { sessionId } = sessionRoute.useParams();
  const { pane = 'traces', span } = sessionRoute.useSearch();
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

  const narrow = useMediaQuery(NARROW_SESSION);
  // Under 700 px the chat is one more tab; it is the first thing a phone shows. The chat stays mounted
  // (hidden) behind a pane, so a draft in the composer survives a look at the traces.
  const [chatShown, setChatShown] = useState(true);
  // A pane's jump to a message (timeline turn, cache row) shows the chat first: synchronously, so the
  // message is laid out when the pane scrolls to it.
  useEffect(() => {
    const onShowChat = () => flushSync(() => setChatShown(true));
    window.addEventListener(SHOW_CHAT_EVENT, onShowChat);
    return () => window.removeEventListener(SHOW_CHAT_EVENT, onShowChat);
  }, []);
  // Opened at a span (a search result): the traces pane selects it once its spans are there, and a
  // narrow screen shows that pane rather than the chat.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new span (or session) asks again
  useEffect(() => {
    if (!span) return;
    if (narrow) setChatShown(false);
    showSpanInTrace({ spanId: span });
  }, [sessionId, span]);
  const showChat = narrow && chatShown;
  const showPane = !narrow || !chatShown;

  const unknown = loaded && !entry && !meta;
  const head = (
    <header className="session-head">
      <Link to="/" className="back" title="Back to sessions (Esc)" aria-label="Back to sessions">
        ←
      </Link>
      <h1 data-testid="session-title">{title ?? (loaded ? 'Unknown session' : '…')}</h1>
      {entry?.parentId && <ParentLink parentId={entry.parentId} />}
      {entry?.deletedAt !== undefined && <span className="tag danger">deleted</span>}
      {entry?.archivedAt !== undefined && <span className="tag">archived</span>}
      <span className="spacer" />
      <SyncBadge docName={sessionDocName(sessionId)} testId="session-sync-status" />
    </header>
  );
  const tabs = (
    <SessionTabs
      sessionId={sessionId}
      pane={pane}
      chatTab={narrow}
      chatSelected={showChat}
      onSelectChat={setChatShown}
    />
  );
  return (
    <main className={narrow ? 'page session-view narrow' : 'page session-view'}>
      {narrow && head}
      {narrow && tabs}
      <section
        className="conversation"
        id="session-chat"
        aria-label="Conversation"
        hidden={narrow && !showChat}
        role={narrow ? 'tabpanel' : undefined}
      >
        {!narrow && head}
        {unknown ? (
          <p className="empty-state">
            This session is not on this device yet. If it was made on another device, it appears once sync reaches it.
          </p>
        ) : loaded && doc ? (
          // Keyed by session: moving to another one (a fork just made) starts with no draft or open edit.
          <ChatView key={sessionId} sessionId={sessionId} doc={doc} />
        ) : (
          <p className="empty-state muted">Loading…</p>
        )}
      </section>
      <aside className="side-pane" aria-label="Session details" hidden={!showPane}>
        {!narrow && tabs}
        {isObservabilityPane(pane) ? (
          <div className="pane-body" role="tabpanel" id="session-pane" aria-labelledby={`session-tab-${pane}`}>
            <ObservabilityPane pane={pane} sessionId={sessionId} doc={doc} meta={meta} />
          </div>
        ) : pane === 'agents' ? (
          <div className="pane-body" role="tabpanel" id="session-pane" aria-labelledby={`session-tab-${pane}`}>
            <AgentsPane sessionId={sessionId} doc={doc} />
          </div>
        ) : pane === 'workflows' ? (
          <div className="pane-body" role="tabpanel" id="session-pane" aria-labelledby={`session-tab-${pane}`}>
            <Suspense fallback={<p className="empty-state muted">Loading workflows…</p>}>
              <WorkflowsPane sessionId={sessionId} />
            </Suspense>
          </div>
        ) : (
          <div
            className="pane-body empty-state"
            role="tabpanel"
            id="session-pane"
            aria-labelledby={`session-tab-${pane}`}
          >
            {SESSION_PANES.find((p) => p.id === pane)?.empty}
          </div>
        )}
      </aside>
      <WorkflowResumer sessionId={sessionId} />
    </main>
  );
}

/**
 * The session's tab list: the side panes, and under 700 px the chat first. Tabs follow the ARIA tabs
 * pattern: one tab stop (the selected tab); arrows, Home and End move along and open the tab.
 */
function SessionTabs(props: {
  sessionId: string;
  pane: SessionPane;
  chatTab: boolean;
  chatSelected: boolean;
  onSelectChat: (chat: boolean) => void;
}) {
  const { sessionId, pane, chatTab, chatSelected, onSelectChat } = props;
  const paneSelected = (id: SessionPane) => !chatSelected && id === pane;
  return (
    <div className="tabs" role="tablist" aria-label="Session views" onKeyDown={moveAlongTabs}>
      {chatTab && (
        <button
          type="button"
          role="tab"
          id="session-tab-chat"
          aria-controls="session-chat"
          aria-selected={chatSelected}
          tabIndex={chatSelected ? 0 : -1}
          className={chatSelected ? 'tab active' : 'tab'}
          onClick={() => onSelectChat(true)}
        >
          Chat
        </button>
      )}
      {SESSION_PANES.map((p) => (
        <Link
          key={p.id}
          to="/s/$sessionId"
          params={{ sessionId }}
          search={{ pane: p.id }}
          role="tab"
          id={`session-tab-${p.id}`}
          aria-controls="session-pane"
          aria-selected={paneSelected(p.id)}
          tabIndex={paneSelected(p.id) ? 0 : -1}
          className={paneSelected(p.id) ? 'tab active' : 'tab'}
          onClick={() => onSelectChat(false)}
        >
          {p.label}
        </Link>
      ))}
    </div>
  );
}

const TAB_KEYS: Record<string, (i: number, n: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_i, n) => n - 1,
};

function moveAlongTabs(e: ReactKeyboardEvent<HTMLElement>) {
  const move = TAB_KEYS[e.key];
  if (!move) return;
  const tabs = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]')];
  const at = tabs.indexOf(e.target as HTMLElement);
  if (at < 0) return;
  e.preventDefault();
  const next = tabs[move(at, tabs.length)];
  next?.focus();
  next?.click();
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
