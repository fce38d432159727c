// Home: every session of the space, newest activity first. Keyboard first: `n` new, `/` search,
// arrows + Enter to open, `r` rename, `a` archive, Delete to delete, `u` undo. A new session opens at once
// with the cursor in its composer (its title comes from the first prompt, or `r` on the list). Each row
// shows the last message, the model, tokens and cost from the index, so the list never opens session docs.
import type { SessionIndexEntry, SessionKind } from '@boocode/shared/doc/space';
import { useNavigate } from '@tanstack/react-router';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { formatCost, formatTokens } from '../traces/span-format.ts';
import { formatRelativeTime } from './format-time.ts';
import { archiveSession, createSession, deleteSession, renameSession } from './session-actions.ts';
import { useChildSessionCounts, useSessions } from './session-hooks.ts';
import { UndoToast, useUndo } from './undo-toast.tsx';
import './session-list.css';

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

export function SessionList() {
  const { store, space } = useServices();
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [showArchived, setShowArchived] = useState(false);
  const [showAgentSessions, setShowAgentSessions] = useState(false);
  const sessions = useSessions({ search, includeArchived: showArchived, topLevelOnly: !showAgentSessions });
  const childCounts = useChildSessionCounts();
  const [selected, setSelected] = useState(0);
  const [renaming, setRenaming] = useState<string | undefined>();
  const { offer, offerUndo, runUndo } = useUndo();
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);

  const current = sessions[Math.min(selected, sessions.length - 1)];
  useMinuteTick();

  const newSession = async (kind: SessionKind = 'chat') => {
    const id = await createSession(store, space, undefined, kind);
    navigate({ to: '/s/$sessionId', params: { sessionId: id } });
  };
  const open = (s: SessionIndexEntry) => navigate({ to: '/s/$sessionId', params: { sessionId: s.id } });
  const archive = (s: SessionIndexEntry) => {
    const archived = s.archivedAt === undefined;
    archiveSession(space, s.id, archived);
    offerUndo({
      message: `${archived ? 'Archived' : 'Unarchived'} “${s.title}”`,
      undo: () => archiveSession(space, s.id, !archived),
    });
  };
  const remove = (s: SessionIndexEntry) => {
    deleteSession(space, s.id, true);
    offerUndo({ message: `Deleted “${s.title}”`, undo: () => deleteSession(space, s.id, false) });
  };

  // Page-wide shortcuts that work while nothing editable has focus.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.key === 'n') {
        e.preventDefault();
        void newSession();
      } else if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (e.key === 'u' && offer) {
        e.preventDefault();
        runUndo();
      } else if ((e.key === 'ArrowDown' || e.key === 'j') && document.activeElement === document.body) {
        e.preventDefault();
        focusRow(0);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const focusRow = (i: number) => {
    const clamped = Math.max(0, Math.min(i, sessions.length - 1));
    setSelected(clamped);
    listRef.current?.querySelectorAll<HTMLElement>('[data-row]')[clamped]?.focus();
  };

  const rowAction = (key: string, s: SessionIndexEntry, i: number): (() => void) | undefined => {
    switch (key) {
      case 'ArrowDown':
      case 'j':
        return () => focusRow(i + 1);
      case 'ArrowUp':
      case 'k':
        return () => (i === 0 ? searchRef.current?.focus() : focusRow(i - 1));
      case 'Enter':
        return () => open(s);
      case 'r':
      case 'F2':
        return () => setRenaming(s.id);
      case 'a':
        return () => archive(s);
      case 'Delete':
      case 'Backspace':
        return () => remove(s);
      default:
        return undefined;
    }
  };

  const onRowKey = (e: KeyboardEvent, s: SessionIndexEntry, i: number) => {
    if (renaming || e.ctrlKey || e.metaKey || e.altKey) return;
    const action = rowAction(e.key, s, i);
    if (!action) return;
    e.preventDefault();
    action();
  };

  return (
    <main className="page session-list">
      <div className="list-toolbar">
        <input
          ref={searchRef}
          type="search"
          className="search"
          placeholder="Search sessions"
          aria-label="Search sessions by title"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setSelected(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'Enter') {
              e.preventDefault();
              if (e.key === 'Enter' && current) open(current);
              else focusRow(0);
            } else if (e.key === 'Escape') {
              setSearch('');
              e.currentTarget.blur();
            }
          }}
        />
        <kbd className="hint">/</kbd>
        <label className="toggle">
          <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
          Archived
        </label>
        <label className="toggle" title="Sessions started by workflow agents and subagents">
          <input
            type="checkbox"
            checked={showAgentSessions}
            onChange={(e) => setShowAgentSessions(e.target.checked)}
            data-testid="show-agent-sessions"
          />
          Agent sessions
        </label>
        <button type="button" className="primary" onClick={() => void newSession()} data-testid="new-session">
          New session <kbd>n</kbd>
        </button>
        <button
          type="button"
          onClick={() => void newSession('coder')}
          data-testid="new-coder-session"
          title="A coder session: the model with the runner's tools in your workspace"
        >
          New coder session
        </button>
      </div>

      {sessions.length === 0 ? (
        <EmptyList searching={search.trim() !== ''} />
      ) : (
        <ul className="rows" ref={listRef} aria-label="Sessions">
          {sessions.map((s, i) => (
            <li
              key={s.id}
              data-row
              data-testid="session-row"
              data-session-id={s.id}
              tabIndex={i === selected ? 0 : -1}
              className={`row${i === selected ? ' selected' : ''}${s.archivedAt ? ' archived' : ''}`}
              onFocus={() => setSelected(i)}
              onKeyDown={(e) => onRowKey(e, s, i)}
              onDoubleClick={() => setRenaming(s.id)}
            >
              {renaming === s.id ? (
                <RenameField
                  initial={s.title}
                  onDone={(title) => {
                    setRenaming(undefined);
                    if (title !== undefined) void renameSession(store, space, s.id, title);
                    requestAnimationFrame(() => focusRow(i));
                  }}
                />
              ) : (
                <button type="button" className="row-title" tabIndex={-1} onClick={() => open(s)}>
                  <span className="row-title-text">{s.title || 'Untitled session'}</span>
                  <RowSummary entry={s} />
                </button>
              )}
              {s.kind !== 'chat' && <span className="tag">{s.kind}</span>}
              {s.parentId !== undefined && <span className="tag">agent</span>}
              {(childCounts.get(s.id) ?? 0) > 0 && (
                <span className="tag" data-testid="child-count" title="Sessions its agents started">
                  {childCounts.get(s.id)} agent{childCounts.get(s.id) === 1 ? '' : 's'}
                </span>
              )}
              {s.archivedAt !== undefined && <span className="tag">archived</span>}
              <span className={`tag status-${s.status}`}>{s.status}</span>
              <time className="muted" dateTime={new Date(s.updatedAt).toISOString()}>
                {formatRelativeTime(s.updatedAt)}
              </time>
              <span className="row-actions">
                <button type="button" tabIndex={-1} onClick={() => setRenaming(s.id)} title="Rename (r)">
                  Rename
                </button>
                <button type="button" tabIndex={-1} onClick={() => archive(s)} title="Archive (a)">
                  {s.archivedAt ? 'Unarchive' : 'Archive'}
                </button>
                <button type="button" tabIndex={-1} onClick={() => remove(s)} title="Delete (Del)">
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <UndoToast offer={offer} onUndo={runUndo} />
    </main>
  );
}

/** The second line of a row: model, tokens and cost, then the last message; nothing for an empty session. */
function RowSummary({ entry }: { entry: SessionIndexEntry }) {
  const facts = [
    entry.model,
    entry.tokens ? `${formatTokens(entry.tokens)} tokens` : undefined,
    entry.cost !== undefined ? formatCost(entry.cost) : undefined,
  ].filter((x): x is string => !!x);
  if (!facts.length && !entry.preview) return null;
  return (
    <span className="row-summary muted" data-testid="session-row-summary">
      {facts.length > 0 && <span className="row-facts">{facts.join(' · ')}</span>}
      {entry.preview && <span className="row-preview">{entry.preview}</span>}
    </span>
  );
}

/** Re-renders every minute so relative times ("3m") stay true in a tab left open. */
function useMinuteTick(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
}

function RenameField({ initial, onDone }: { initial: string; onDone: (title: string | undefined) => void }) {
  const [value, setValue] = useState(initial);
  const done = useRef(false);
  const finish = (title: string | undefined) => {
    if (done.current) return;
    done.current = true;
    onDone(title);
  };
  return (
    <input
      className="rename"
      aria-label="Session title"
      // biome-ignore lint/a11y/noAutofocus: rename is an explicit user action that needs the caret here
      autoFocus
      onFocus={(e) => e.currentTarget.select()}
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') finish(value);
        else if (e.key === 'Escape') finish(undefined);
      }}
      onBlur={() => finish(value)}
    />
  );
}

function EmptyList({ searching }: { searching: boolean }) {
  if (searching) return <p className="empty-state">No session title matches.</p>;
  return (
    <div className="empty-state">
      <p>No sessions yet.</p>
      <p className="muted">
        Press <kbd>n</kbd> to start one. Sessions are kept on this device and synced when a server is set in Settings.
      </p>
    </div>
  );
}
