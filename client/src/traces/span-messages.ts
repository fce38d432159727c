// What a span links to in its session's messages: the chat message to jump to, and the images its turn sent.
import { listMessages } from '@boocode/shared/doc/session';
import type { Attachment, Message, Span } from '@boocode/shared/doc/session-schema';
import type * as Y from 'yjs';

/** The images a turn's user messages sent to the model (the span keeps a count, never the bytes). */
export function imageInputsOfTurn(doc: Y.Doc, turn: number): Attachment[] {
  return listMessages(doc)
    .filter((m) => m.role === 'user' && m.turn === turn)
    .flatMap((m) => m.attachments ?? [])
    .filter((a) => a.kind === 'image');
}

/** Messages a span belongs to, best first: its own, the assistant message that made its tool call, its result. */
export function messageIdsForSpan(span: Span, doc: Y.Doc): string[] {
  const messages = listMessages(doc);
  const ids = [
    span.messageId,
    span.toolCallId ? messages.find((m) => m.toolCalls?.some((c) => c.id === span.toolCallId))?.id : undefined,
    messages.find((m) => m.spanId === span.id)?.id,
    span.toolCallId ? messages.find((m) => m.toolCallId === span.toolCallId)?.id : undefined,
  ];
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

/**
 * The messages a model call was sent: those before the assistant message it wrote (its `messageId`), in
 * order. Empty when the call names no message of this session.
 */
export function requestMessages(messages: readonly Message[], span: Span): Message[] {
  if (span.kind !== 'model' || span.messageId === undefined) return [];
  const at = messages.findIndex((m) => m.id === span.messageId);
  return at < 0 ? [] : messages.slice(0, at);
}
