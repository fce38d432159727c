// What a user can do with one message: copy it as Markdown; on the last answer, ask its prompt again (Retry
// after a failure, Regenerate otherwise); on the last prompt, edit it and send it again (in a fork); on a
// prompt asked more than once, flip between its answers ("2/3").
import type { AlternativeGroup } from '@boocode/shared/doc/alternatives';
import type { Message } from '@boocode/shared/doc/session-schema';
import { type Ref, useState } from 'react';
import './message-actions.css';

export interface MessageActionsProps {
  message: Message;
  /** Set on the last answer while nothing runs: asks its prompt again. */
  onAskAgain?: () => void;
  /** Set on the last prompt while nothing runs: opens it for editing. */
  onEdit?: () => void;
  /** The Edit button, so focus comes back to it when an edit is cancelled. */
  editRef?: Ref<HTMLButtonElement>;
}

export function MessageActions({ message, onAskAgain, onEdit, editRef }: MessageActionsProps) {
  const [copied, setCopied] = useState<'copied' | 'failed'>();
  const copy = () => {
    navigator.clipboard.writeText(message.text).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };
  if (!message.text && !onAskAgain && !onEdit) return null;
  return (
    <div className="message-actions">
      {message.text && (
        <button
          type="button"
          className="link-button"
          onClick={copy}
          aria-label={`Copy this ${message.role} message as Markdown`}
        >
          Copy
        </button>
      )}
      {copied && (
        <span className="muted" role="status">
          {copied === 'copied' ? 'Copied as Markdown' : 'The browser refused the clipboard'}
        </span>
      )}
      {onAskAgain && (
        <button type="button" className="link-button" onClick={onAskAgain}>
          {message.status === 'error' ? 'Retry' : 'Regenerate'}
        </button>
      )}
      {onEdit && (
        <button
          ref={editRef}
          type="button"
          className="link-button"
          onClick={onEdit}
          aria-label="Edit this message and send it again"
          data-testid="edit-prompt"
        >
          Edit
        </button>
      )}
    </div>
  );
}

/** "2/3 ‹ ›" on a prompt asked more than once; flipping makes that answer the one the model sees next. */
export function AlternativePager({
  group,
  turn,
  onChoose,
}: {
  group: AlternativeGroup;
  turn: number;
  /** Absent while a turn runs or when a later prompt builds on this answer: flipping would rewrite its history. */
  onChoose?: (turn: number) => void;
}) {
  const at = group.turns.indexOf(turn);
  const prev = group.turns[at - 1];
  const next = group.turns[at + 1];
  return (
    <span
      className="alternative-pager"
      data-testid="alternative-pager"
      title={`Answer ${at + 1} of ${group.turns.length}`}
    >
      <button
        type="button"
        className="link-button"
        aria-label="Previous answer"
        disabled={!onChoose || prev === undefined}
        onClick={() => prev !== undefined && onChoose?.(prev)}
      >
        ‹
      </button>
      <span>
        {at + 1}/{group.turns.length}
      </span>
      <button
        type="button"
        className="link-button"
        aria-label="Next answer"
        disabled={!onChoose || next === undefined}
        onClick={() => next !== undefined && onChoose?.(next)}
      >
        ›
      </button>
    </span>
  );
}
