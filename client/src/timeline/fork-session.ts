// Forking a session from a turn-boundary snapshot: the new session gets the meta, the first
// `messageCount` messages and the snapshots up to that turn; the original keeps everything it had and
// only gains a notice. Pure over the three docs (no store, no clock, no ids of its own), so it is tested
// without a browser.
import { appendMessage, getSessionMeta, initSessionMeta, listMessages, setRunState } from '@boocode/shared/doc/session';
import type { Snapshot } from '@boocode/shared/doc/session-schema';
import { getSessionEntry, putSessionEntry } from '@boocode/shared/doc/space';
import { appendSnapshot, listSnapshots } from '@boocode/shared/doc/spans';
import type * as Y from 'yjs';

export interface ForkInput {
  source: Y.Doc;
  /** A doc for the new session, empty. */
  target: Y.Doc;
  space: Y.Doc;
  snapshot: Snapshot;
  newSessionId: string;
  now: number;
  newMessageId: () => string;
}

export type ForkResult =
  | { ok: true; sessionId: string; title: string }
  | { ok: false; code: ForkErrorCode; message: string };
export type ForkErrorCode = 'FORK_NO_META' | 'FORK_TARGET_NOT_EMPTY' | 'FORK_BAD_SNAPSHOT';

export function forkSession(input: ForkInput): ForkResult {
  const { source, target, space, snapshot, newSessionId: id, now } = input;
  const meta = getSessionMeta(source);
  if (!meta) return { ok: false, code: 'FORK_NO_META', message: 'This session has no meta yet; wait for it to sync.' };
  if (getSessionMeta(target)) {
    return { ok: false, code: 'FORK_TARGET_NOT_EMPTY', message: `Session ${id} already exists.` };
  }
  const messages = listMessages(source);
  if (snapshot.messageCount < 0 || snapshot.messageCount > messages.length) {
    return {
      ok: false,
      code: 'FORK_BAD_SNAPSHOT',
      message: `Turn ${snapshot.turn} counts ${snapshot.messageCount} messages; the session has ${messages.length}.`,
    };
  }
  const entry = getSessionEntry(space, meta.id);
  const sourceTitle = entry?.title ?? meta.title;
  const title = `${sourceTitle} (fork at turn ${snapshot.turn})`;

  target.transact(() => {
    initSessionMeta(target, {
      ...meta,
      id,
      title,
      createdAt: now,
      forkedFrom: { sessionId: meta.id, turn: snapshot.turn },
    });
    for (const m of messages.slice(0, snapshot.messageCount)) appendMessage(target, m);
    for (const s of listSnapshots(source)) if (s.turn <= snapshot.turn) appendSnapshot(target, s);
    // The engine numbers the next turn from the run state: continue after the copied turns, so a new
    // turn's messages never mix with a copied turn's.
    setRunState(target, { status: 'idle', turn: snapshot.turn });
    appendMessage(target, {
      id: input.newMessageId(),
      role: 'notice',
      createdAt: now,
      turn: snapshot.turn,
      text: `Forked from “${sourceTitle}” at turn ${snapshot.turn}. The original session is unchanged.`,
    });
  });

  const lastTurn = messages.reduce((t, m) => Math.max(t, m.turn), 0);
  source.transact(() => {
    appendMessage(source, {
      id: input.newMessageId(),
      role: 'notice',
      createdAt: now,
      turn: lastTurn,
      text: `Forked at turn ${snapshot.turn} into “${title}”.`,
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
