// The chat of one session: the live conversation from the doc, the composer, the usage counter, and
// approvals (inline on a waiting tool card; a crash-interrupted call gets its own card at the end).
import { chooseAlternative } from '@boocode/shared/doc/alternatives';
import type { Message, Span } from '@boocode/shared/doc/session-schema';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import type * as Y from 'yjs';
import { useServices } from '../docs/doc-context.tsx';
import { renameSession } from '../sessions/session-actions.ts';
import { ChildApprovalsNotice } from './ChildApprovalsNotice.tsx';
import { Composer } from './Composer.tsx';
import { type ChatDocView, useChatDoc, useSessionDriver } from './chat-hooks.ts';
import { editAndResend } from './edit-resend.ts';
import { MessageList } from './MessageList.tsx';
import { SubagentsToggle, WakeOnResultsToggle } from './SubagentsToggle.tsx';
import { UsageCounter } from './UsageCounter.tsx';

/** What createSession names a session; the first prompt replaces it. */
const DEFAULT_TITLE = 'Untitled session';

function titleFrom(text: string): string {
  const line = text.split('\n')[0]?.trim() ?? '';
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

export function ChatView({ sessionId, doc }: { sessionId: string; doc: Y.Doc }) {
  const services = useServices();
  const { store, space } = services;
  const navigate = useNavigate();
  const view = useChatDoc(doc);
  const { driver, state } = useSessionDriver(sessionId);
  const busyElsewhere = !state.driving && (view.run.status === 'running' || view.run.status === 'queued');
  const byHost = view.run.driver?.startsWith('host:') ?? false;
  const endRef = useAutoScroll(view);
  // Retry, Regenerate and flipping between answers only while no turn runs anywhere.
  const idle = !state.driving && view.run.status === 'idle';

  const editPrompt = async (prompt: Message, text: string): Promise<string | undefined> => {
    try {
      const open = (id: string) => navigate({ to: '/s/$sessionId', params: { sessionId: id } });
      const res = await editAndResend(services, doc, view.messages, prompt, text, open);
      return res.ok ? undefined : res.message;
    } catch (e) {
      return `Could not fork: ${(e as Error).message}`;
    }
  };

  return (
    <div className="chat" data-testid="chat" data-kind={view.meta?.kind ?? 'chat'}>
      <div className="chat-status">
        <span className="tag">{view.meta?.kind === 'coder' ? 'coder' : 'chat'}</span>
        {busyElsewhere && (
          <span className="muted" data-testid="follow-note">
            {view.run.status === 'queued'
              ? 'Waiting for a driver (the agent host, or this tab if none takes it)…'
              : byHost
                ? 'Running on the agent host; following it live.'
                : 'Running in another tab; following it live.'}
          </span>
        )}
        <span className="spacer" />
        <SubagentsToggle doc={doc} meta={view.meta} />
        <WakeOnResultsToggle doc={doc} meta={view.meta} />
        <UsageCounter spans={view.spans} />
      </div>
      {view.messages.length === 0 ? (
        <p className="empty-state chat-empty" data-testid="chat-empty">
          Ask something…{' '}
          {view.meta?.kind === 'coder'
            ? 'The agent can read, edit and run things in your workspace (writes ask first).'
            : ''}
        </p>
      ) : (
        <MessageList
          messages={view.messages}
          spans={view.spans}
          onAnswer={(spanId, a) => driver?.answerApproval(spanId, a)}
          onCancel={state.driving ? () => driver?.stop() : undefined}
          onAskAgain={idle ? () => void driver?.askAgain() : undefined}
          onChooseAlternative={idle ? (turn) => chooseAlternative(doc, view.messages, turn) : undefined}
          onEditPrompt={idle ? editPrompt : undefined}
        />
      )}
      <ChildApprovalsNotice sessionId={sessionId} />
      <InterruptedApprovals
        view={view}
        disabled={state.driving || busyElsewhere}
        onResolve={(spanId, d) => driver?.answerApproval(spanId, d)}
      />
      {state.problem && (
        <p className="error-text chat-problem" role="alert" data-testid="chat-problem">
          {state.problem}
        </p>
      )}
      <div ref={endRef} />
      <Composer
        driving={state.driving}
        busyElsewhere={busyElsewhere}
        onSend={(text, attachments) => {
          if (view.messages.length === 0 && view.meta?.title === DEFAULT_TITLE && text)
            void renameSession(store, space, sessionId, titleFrom(text));
          void driver?.send(text, attachments);
        }}
        onStop={() => driver?.stop()}
      />
    </div>
  );
}

/** A write or command that was running when the driver died: it may have taken effect, so ask. */
function InterruptedApprovals({
  view,
  disabled,
  onResolve,
}: {
  view: ChatDocView;
  disabled: boolean;
  onResolve(spanId: string, d: 'approve' | 'deny'): void;
}) {
  if (view.run.status !== 'waiting-approval') return null;
  const spans = (view.run.pendingApprovals ?? [])
    .map((id) => view.spans.find((s) => s.id === id))
    .filter((s): s is Span => s !== undefined && s.approval?.answer === undefined);
  return (
    <div className="interrupted-approvals">
      {spans.map((s) => (
        <fieldset key={s.id} className="approval" data-testid="resume-approval">
          <p>
            <strong>{s.name}</strong> was interrupted while it ran (the tab closed or crashed). It may or may not have
            taken effect. Run it again?
          </p>
          <pre className="tool-args">{JSON.stringify(s.input, null, 2)}</pre>
          <div className="approval-actions">
            <button type="button" className="primary" disabled={disabled} onClick={() => onResolve(s.id, 'approve')}>
              Run again
            </button>
            <button type="button" disabled={disabled} onClick={() => onResolve(s.id, 'deny')}>
              Don’t run
            </button>
          </div>
        </fieldset>
      ))}
    </div>
  );
}

/** Keeps the newest content in view while it streams, unless the user scrolled up to read. */
function useAutoScroll(view: ChatDocView) {
  const endRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const scroller = endRef.current?.closest('.conversation');
    if (!scroller) return;
    const onScroll = () => {
      stick.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    };
    scroller.addEventListener('scroll', onScroll, { passive: true });
    return () => scroller.removeEventListener('scroll', onScroll);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of the conversation
  useEffect(() => {
    const scroller = endRef.current?.closest('.conversation');
    if (stick.current && scroller) scroller.scrollTop = scroller.scrollHeight;
  }, [view]);
  return endRef;
}
