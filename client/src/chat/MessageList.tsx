// The conversation: user and assistant messages (Markdown), reasoning folded away, tool calls as cards
// under the assistant message that made them, notices and errors in words. Tool messages are not shown
// on their own: their result is inside the card.

import { parseResultMessage } from '@boocode/shared/agent/subagents/result-message';
import type { Message, Span } from '@boocode/shared/doc/session-schema';
import { SubagentResultCard } from '../agents/SubagentResultCard.tsx';
import { MessageAttachments } from '../attachments/MessageAttachments.tsx';
import type { ApprovalAnswer, ApprovalRequest } from '../runner/approval-queue.ts';
import { Markdown } from './Markdown.tsx';
import { modelLabel } from './ModelPicker.tsx';
import { ToolCard } from './ToolCard.tsx';

export interface MessageListProps {
  messages: Message[];
  spans: Span[];
  approvals: ApprovalRequest[];
  onAnswer(spanId: string, answer: ApprovalAnswer): void;
}

export function MessageList({ messages, spans, approvals, onAnswer }: MessageListProps) {
  const toolResults = new Map(messages.filter((m) => m.role === 'tool').map((m) => [m.toolCallId, m]));
  // The latest span of a call wins (a call re-run after a crash has an interrupted span and a new one).
  const toolSpans = new Map(spans.filter((s) => s.kind === 'tool').map((s) => [s.toolCallId, s]));
  const visible = messages.filter((m) => m.role !== 'tool' && m.role !== 'system');
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
            {m.status !== 'done' && <span className={`tag status-${m.status}`}>{m.status}</span>}
            <time className="muted">{new Date(m.createdAt).toLocaleTimeString()}</time>
          </div>
          {m.reasoning && (
            <details className="reasoning">
              <summary>Reasoning</summary>
              <div className="text">{m.reasoning}</div>
            </details>
          )}
          {m.role === 'user' && parseResultMessage(m.text) ? (
            <SubagentResultCard result={parseResultMessage(m.text)!} />
          ) : m.role === 'user' || m.role === 'notice' ? (
            <div className="text" data-testid="message-text">
              {m.text}
            </div>
          ) : (
            m.text && (
              <div data-testid="message-text">
                <Markdown text={m.text} streaming={m.status === 'streaming'} />
              </div>
            )
          )}
          {m.attachments?.length ? <MessageAttachments attachments={m.attachments} /> : null}
          {m.status === 'streaming' && !m.text && !m.toolCalls?.length && (
            <span className="muted typing" title="The model is answering">
              …
            </span>
          )}
          {m.toolCalls?.map((call) => {
            const span = toolSpans.get(call.id);
            return (
              <ToolCard
                key={call.id}
                call={call}
                span={span}
                result={toolResults.get(call.id)}
                approval={span ? approvals.find((a) => a.spanId === span.id) : undefined}
                onAnswer={onAnswer}
              />
            );
          })}
          {m.error && (
            <p className="error-text" role="alert">
              {m.error.message}
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}
