// The conversation: user and assistant messages (Markdown), reasoning folded away, tool calls as cards
// under the assistant message that made them, notices and errors in words. Tool messages are not shown
// on their own: their result is inside the card.

import { parseResultMessage } from '@boocode/shared/agent/subagents/result-message';
import { alternativeGroups } from '@boocode/shared/doc/alternatives';
import type { ApprovalAnswer, Message, Span } from '@boocode/shared/doc/session-schema';
import { useEffect, useRef, useState } from 'react';
import { SubagentResultCard } from '../agents/SubagentResultCard.tsx';
import { MessageAttachments } from '../attachments/MessageAttachments.tsx';
import { editablePrompt } from './edit-prompt.ts';
import { FoldedText } from './FoldedText.tsx';
import { foldText } from './fold-text.ts';
import { Markdown } from './Markdown.tsx';
import { AlternativePager, MessageActions } from './MessageActions.tsx';
import { modelLabel } from './ModelPicker.tsx';
import { PromptEditor } from './PromptEditor.tsx';
import { RetryNotice } from './RetryNotice.tsx';
import { ToolCard } from './ToolCard.tsx';

/** Why an answer is partial, as the next request tells the model too. */
const INCOMPLETE_WORDS = {
  cut: 'The connection was cut before this answer finished; the model is told so next time.',
  cancelled: 'Stopped here; the model is told so next time.',
  interrupted: 'The tab went away mid-answer; the call was made again.',
  length: 'The answer reached the model’s output limit; the model is told so next time.',
} as const;

/** A message longer than this folds with "Show all": a pasted 1 MB log must not bury the conversation. */
const MESSAGE_FOLD_LINES = 40;
const MESSAGE_FOLD_CHARS = 6000;

/** An answer folds only when very long, and never while it streams (the user watches its end). */
function AssistantText({ text, streaming }: { text: string; streaming: boolean }) {
  const [open, setOpen] = useState(false);
  const { head, folded } = foldText(text, MESSAGE_FOLD_LINES * 4, MESSAGE_FOLD_CHARS * 4);
  const fold = folded && !streaming && !open;
  return (
    <div data-testid="message-text">
      <Markdown text={fold ? head : text} streaming={streaming} />
      {folded && !streaming && (
        <button type="button" className="link-button fold-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Show less' : `Show all (${text.length.toLocaleString()} characters)`}
        </button>
      )}
    </div>
  );
}

export interface MessageListProps {
  messages: Message[];
  spans: Span[];
  /** Writes the user's answer to a call waiting for approval into the doc. */
  onAnswer(spanId: string, answer: ApprovalAnswer): void;
  /** Stops the turn (this tab drives it); absent when another tab does. */
  onCancel?: () => void;
  /** Set while nothing runs: asks the last prompt again (Retry, Regenerate). */
  onAskAgain?: () => void;
  /** Set while nothing runs: makes that turn the current answer of its group. */
  onChooseAlternative?: (turn: number) => void;
  /** Set while nothing runs: sends an edited last prompt (in a fork); resolves with a failure in words. */
  onEditPrompt?: (prompt: Message, text: string) => Promise<string | undefined>;
}

export function MessageList({
  messages,
  spans,
  onAnswer,
  onCancel,
  onAskAgain,
  onChooseAlternative,
  onEditPrompt,
}: MessageListProps) {
  const edit = usePromptEditing(!!onEditPrompt);
  const toolResults = new Map(messages.filter((m) => m.role === 'tool').map((m) => [m.toolCallId, m]));
  // The latest span of a call wins (a call re-run after a crash has an interrupted span and a new one).
  const toolSpans = new Map(spans.filter((s) => s.kind === 'tool').map((s) => [s.toolCallId, s]));
  // A turn asked again is kept, hidden, until the user flips back to it.
  const visible = messages.filter((m) => m.role !== 'tool' && m.role !== 'system' && !m.superseded);
  const groups = alternativeGroups(messages);
  const groupOf = (m: Message) => (m.role === 'user' ? groups.get(m.alternativeOf ?? m.turn) : undefined);
  const latestTurn = Math.max(0, ...messages.map((m) => m.turn));
  const lastAnswer = visible.findLast((m) => m.role === 'assistant');
  const lastPrompt = onEditPrompt ? editablePrompt(messages) : undefined;
  return (
    <ol className="messages chat-messages" data-testid="messages">
      {visible.map((m) => (
        <li
          key={m.id}
          className={`message role-${m.role} status-${m.status}`}
          data-testid="message"
          data-role={m.role}
          data-message-id={m.id}
        >
          <div className="message-meta">
            <span className="role">{m.role}</span>
            {m.role === 'assistant' && m.model && <span className="muted model-name">{modelLabel(m.model)}</span>}
            {m.status !== 'done' && (
              <span
                className={`tag status-${m.status}`}
                title={m.incomplete ? INCOMPLETE_WORDS[m.incomplete.reason] : undefined}
              >
                {m.status}
              </span>
            )}
            {/* A finished answer can still be partial (the output limit): say so; a stopped one says it above. */}
            {m.status === 'done' && m.incomplete && (
              <span
                className="tag status-interrupted"
                data-testid="message-incomplete"
                title={INCOMPLETE_WORDS[m.incomplete.reason]}
              >
                incomplete
              </span>
            )}
            <time className="muted">{new Date(m.createdAt).toLocaleTimeString()}</time>
            {groupOf(m) && (
              <AlternativePager
                group={groupOf(m)!}
                turn={m.turn}
                // Only the last prompt flips: a later turn was answered with this one in its history.
                onChoose={groupOf(m)!.turns.includes(latestTurn) ? onChooseAlternative : undefined}
              />
            )}
          </div>
          {m.reasoning && (
            <details className="reasoning">
              <summary>Reasoning</summary>
              <div className="text">{m.reasoning}</div>
            </details>
          )}
          {m === lastPrompt && edit.editing && onEditPrompt ? (
            <PromptEditor text={m.text} onSend={(text) => onEditPrompt(m, text)} onCancel={edit.cancel} />
          ) : m.role === 'user' && parseResultMessage(m.text) ? (
            <SubagentResultCard result={parseResultMessage(m.text)!} />
          ) : m.role === 'user' || m.role === 'notice' ? (
            <FoldedText
              text={m.text}
              as="div"
              maxLines={MESSAGE_FOLD_LINES}
              maxChars={MESSAGE_FOLD_CHARS}
              className="text"
              testId="message-text"
            />
          ) : (
            m.text && <AssistantText text={m.text} streaming={m.status === 'streaming'} />
          )}
          {m.attachments?.length ? <MessageAttachments attachments={m.attachments} /> : null}
          {m.retry && m.status === 'streaming' && <RetryNotice retry={m.retry} onCancel={onCancel} />}
          {m.status === 'streaming' && !m.retry && !m.text && !m.toolCalls?.length && (
            <span className="muted typing" title="The model is answering">
              …
            </span>
          )}
          {m.toolCalls?.map((call) => {
            const span = toolSpans.get(call.id);
            return (
              <ToolCard key={call.id} call={call} span={span} result={toolResults.get(call.id)} onAnswer={onAnswer} />
            );
          })}
          {m.error && (
            <p className="error-text" role="alert">
              {m.error.message}
            </p>
          )}
          {(m.role === 'user' || m.role === 'assistant') &&
            m.status !== 'streaming' &&
            !(m === lastPrompt && edit.editing) && (
              <MessageActions
                message={m}
                onAskAgain={m === lastAnswer ? onAskAgain : undefined}
                onEdit={m === lastPrompt ? edit.start : undefined}
                editRef={m === lastPrompt ? edit.buttonRef : undefined}
              />
            )}
        </li>
      ))}
    </ol>
  );
}

/** Whether the last prompt is open for editing; a cancelled edit gives focus back to its Edit button. */
function usePromptEditing(allowed: boolean) {
  const [editing, setEditing] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (editing || !refocus.current) return;
    refocus.current = false;
    buttonRef.current?.focus();
  }, [editing]);
  return {
    // A turn that starts (here or elsewhere) closes the editor: the prompt it would fork from has moved on.
    editing: editing && allowed,
    buttonRef,
    start: () => setEditing(true),
    cancel: () => {
      refocus.current = true;
      setEditing(false);
    },
  };
}
