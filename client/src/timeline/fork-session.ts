// Forking a session at a turn boundary (a timeline snapshot, or the turn before a prompt the user edits): the
// new session gets the meta, the first `messageCount` messages and the snapshots up to that turn; the original
// keeps everything it had and only gains a notice. Pure over the three docs (no store, no clock, no ids of its
// own), so it is tested without a browser.
import { appendMessage, getSessionMeta, initSessionMeta, listMessages, setRunState } from '@boocode/shared/doc/session';
import type { Snapshot } from '@boocode/shared/doc/session-schema';
import { getSessionEntry, putSessionEntry } from '@boocode/shared/doc/space';
import { appendSnapshot, listSnapshots } from '@boocode/shared/doc/spans';
import type * as Y from 'yjs';

/** Where a fork cuts: after `turn`, keeping the first `messageCount` messages (a Snapshot is one). */
export type ForkPoint = Pick<Snapshot, 'turn' | 'messageCount'>;

/**
 * Why the fork is made: `timeline` continues from a turn ("Fork from here"); `edit` asks the prompt after the
 * cut again in other words (the edited message is sent in the fork right after).
 */
export type ForkReason = 'timeline' | 'edit';

export interface ForkInput {
  source: Y.Doc;
  /** A doc for the new session, empty. */
  target: Y.Doc;
  space: Y.Doc;
  at: ForkPoint;
  reason?: ForkReason;
  newSessionId: string;
  now: number;
  newMessageId: () => string;
}

export type ForkResult =
  | { ok: true; sessionId: string; title: string }
  | { ok: false; code: ForkErrorCode; message: string };
export type ForkErrorCode = 'FORK_NO_META' | 'FORK_TARGET_NOT_EMPTY' | 'FORK_BAD_SNAPSHOT';

export function forkSession(input: ForkInput): ForkResult {
  const { source, target, space, at, newSessionId: id, now } = input;
  const meta = getSessionMeta(source);
  if (!meta) return { ok: false, code: 'FORK_NO_META', message: 'This session has no meta yet; wait for it to sync.' };
  if (getSessionMeta(target)) {
    return { ok: false, code: 'FORK_TARGET_NOT_EMPTY', message: `Session ${id} already exists.` };
  }
  const messages = listMessages(source);
  if (at.messageCount < 0 || at.messageCount > messages.length) {
    return {
      ok: false,
      code: 'FORK_BAD_SNAPSHOT',
      message: `Turn ${at.turn} counts ${at.messageCount} messages; the session has ${messages.length}.`,
    };
  }
  const entry = getSessionEntry(space, meta.id);
  const sourceTitle = entry?.title ?? meta.title;
  const edit = input.reason === 'edit';
  const title = edit ? `${sourceTitle} (edited at turn ${at.turn + 1})` : `${sourceTitle} (fork at turn ${at.turn})`;

  target.transact(() => {
    initSessionMeta(target, {
      ...meta,
      id,
      title,
      createdAt: now,
      forkedFrom: { sessionId: meta.id, turn: at.turn },
    });
    for (const m of messages.slice(0, at.messageCount)) appendMessage(target, m);
    for (const s of listSnapshots(source)) if (s.turn <= at.turn) appendSnapshot(target, s);
    // The engine numbers the next turn from the run state: continue after the copied turns, so a new
    // turn's messages never mix with a copied turn's.
    setRunState(target, { status: 'idle', turn: at.turn });
    appendMessage(target, {
      id: input.newMessageId(),
      role: 'notice',
      createdAt: now,
      turn: at.turn,
      text: edit
        ? `Forked from “${sourceTitle}” to ask turn ${at.turn + 1} again with an edited message. The original session is unchanged.`
        : `Forked from “${sourceTitle}” at turn ${at.turn}. The original session is unchanged.`,
    });
  });

  const lastTurn = messages.reduce((t, m) => Math.max(t, m.turn), 0);
  source.transact(() => {
    appendMessage(source, {
      id: input.newMessageId(),
      role: 'notice',
      createdAt: now,
      turn: lastTurn,
      text: edit
        ? `Turn ${at.turn + 1} was asked again with an edited message in “${title}”.`
        : `Forked at turn ${at.turn} into “${title}”.`,
    });
  });

  space.transact(() => {
    putSessionEntry(space, {
      id,
      title,
      kind: meta.kind,
      status: 'idle',
      createdAt: now,
      updatedAt: now,
      ...(entry?.label ? { label: entry.label } : {}),
    });
  });
  return { ok: true, sessionId: id, title };
}
