// The session timeline: one entry per turn from the turn-boundary snapshots (time, duration, tokens,
// tools, outcome). A click scrolls the chat to the turn; "Fork from here" starts a new session from it.
import { listMessages } from '@boocode/shared/doc/session';
import type { SessionMeta, Snapshot } from '@boocode/shared/doc/session-schema';
import { useNavigate } from '@tanstack/react-router';
import { Fragment, useState } from 'react';
import type * as Y from 'yjs';
import { useServices } from '../docs/doc-context.tsx';
import { scrollChatToMessage } from '../traces/chat-jump.ts';
import { formatClock, formatCost, formatDuration, formatTokens } from '../traces/span-format.ts';
import { useSnapshots } from '../traces/span-hooks.ts';
import { forkSessionAt } from './fork-action.ts';

export function TimelinePane({
  doc,
  meta,
}: {
  sessionId: string;
  doc: Y.Doc | undefined;
  meta: SessionMeta | undefined;
}) {
  const snapshots = useSnapshots(doc);
  const { store, space } = useServices();
  const navigate = useNavigate();
  const [error, setError] = useState<string | undefined>();
  const [forking, setForking] = useState<number | undefined>();

  if (snapshots.length === 0) {
    return <p className="empty-state">Each finished turn of this session will appear here, with its time and cost.</p>;
  }

  const jump = (snap: Snapshot, prev: Snapshot | undefined) => {
    if (!doc) return;
    const target = snap.firstMessageId ?? listMessages(doc)[prev?.messageCount ?? 0]?.id;
    if (target) scrollChatToMessage(target);
  };

  const fork = async (snap: Snapshot) => {
    if (!doc) return;
    setForking(snap.turn);
    setError(undefined);
    try {
      const res = await forkSessionAt(store, space, doc, snap);
      if (!res.ok) setError(res.message);
      else await navigate({ to: '/s/$sessionId', params: { sessionId: res.sessionId }, search: { pane: 'timeline' } });
    } catch (e) {
      setError(`Could not fork: ${(e as Error).message}`);
    } finally {
      setForking(undefined);
    }
  };

  return (
    <section className="timeline-pane obs-pane" aria-label="Timeline" data-testid="timeline-pane">
      {meta?.forkedFrom && (
        <p className="timeline-fork-note muted">Forked from another session at turn {meta.forkedFrom.turn}.</p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <ol className="timeline">
        {snapshots.map((snap, i) => {
          const prev = i > 0 ? snapshots[i - 1] : undefined;
          const tokens =
            snap.usage.prompt + snap.usage.completion - (prev ? prev.usage.prompt + prev.usage.completion : 0);
          const cost = snap.usage.cost - (prev?.usage.cost ?? 0);
          const started = snap.startedAt ?? prev?.at;
          return (
            <li
              key={`${snap.turn}-${snap.at}`}
              className={`timeline-turn outcome-${snap.outcome}`}
              data-testid="timeline-turn"
              data-turn={snap.turn}
            >
              <button type="button" className="timeline-main" onClick={() => jump(snap, prev)}>
                <span className="timeline-dot" aria-hidden />
                <span className="timeline-title">
                  Turn {snap.turn}
                  {snap.outcome !== 'ok' && (
                    <span className={`tag outcome-tag outcome-${snap.outcome}`}>{snap.outcome}</span>
                  )}
                </span>
                <span className="timeline-facts muted">
                  {[
                    formatClock(started ?? snap.at),
                    started !== undefined ? formatDuration(Math.max(0, snap.at - started)) : undefined,
                    `${formatTokens(Math.max(0, tokens))} tokens`,
                    cost > 0 ? formatCost(cost) : undefined,
                  ]
                    .filter((f) => f !== undefined)
                    .map((f, i) => (
                      // The separator sits outside the unbreakable fact, so the line wraps between facts.
                      <Fragment key={f}>
                        {i > 0 && ' · '}
                        <span>{f}</span>
                      </Fragment>
                    ))}
                </span>
                {snap.tools && snap.tools.length > 0 && (
                  <span className="timeline-tools">
                    {snap.tools.map((t) => (
                      <code key={t}>{t}</code>
                    ))}
                  </span>
                )}
              </button>
              <button
                type="button"
                className="timeline-fork"
                data-testid="fork-from-here"
                disabled={forking !== undefined}
                onClick={() => void fork(snap)}
                title={`A new session with the first ${snap.messageCount} messages; this one stays as it is`}
              >
                {forking === snap.turn ? 'Forking…' : 'Fork from here'}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

export default TimelinePane;
