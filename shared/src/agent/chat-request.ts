// Builds the model request from the session doc's messages, so the history the provider sees is honest and
// valid: a partial answer (cut, cancelled, stopped at its length limit) is sent marked as incomplete, one whose
// call is being re-issued (interrupted) or that has nothing to send is left out (historyNotes says which, for
// the trace); notices and superseded turns (asked again) are left out; an assistant's tool calls are sent only together with their results.
import { incompleteOf } from '../doc/session.ts';
import type { IncompleteReason, Message, OutputSpec } from '../doc/session-schema.ts';
import type { ChatMessage, ChatRequest, ChatToolSpec } from '../model/model-client.ts';
import type { StructuredOutputMode } from '../model/provider-kinds.ts';
import { type AttachmentBytes, userContent } from './attachment-parts.ts';
import type { ToolDefinition } from './engine-deps.ts';
import { withStructuredOutput } from './structured-request.ts';

export interface RequestOptions {
  model: string;
  systemPrompt?: string;
  tools?: ToolDefinition[];
  /** Bytes of the messages' attachments by SHA-256 (see loadAttachmentBytes). */
  attachmentBytes?: AttachmentBytes;
  /** False when the model takes no images. */
  vision?: boolean;
  /** The schema the answer must match (the turn's user message says), and how the provider is asked for it. */
  output?: OutputSpec;
  structuredOutput?: StructuredOutputMode;
}

/** What became of a partial answer in the request. */
export interface HistoryNote {
  messageId: string;
  reason: IncompleteReason;
  sent: 'marked' | 'left-out';
}

/** The words appended to a partial answer, so the model knows the user did not get it whole. */
export const INCOMPLETE_MARKS: Record<Exclude<IncompleteReason, 'interrupted'>, string> = {
  cut: '[This answer is incomplete: the connection was cut before it finished.]',
  cancelled: '[This answer is incomplete: the user stopped it here.]',
  length: '[This answer is incomplete: it reached the output length limit.]',
};

export function toolSpecs(defs: ToolDefinition[]): ChatToolSpec[] {
  return defs.map((d) => ({
    type: 'function',
    function: { name: d.name, description: d.description, parameters: d.parameters },
  }));
}

/**
 * Why an assistant answer is partial: its mark, or (for docs written before the mark existed) a cancelled or
 * failed answer that has text, which was cut or stopped mid-stream.
 */
function partialReason(m: Message): IncompleteReason | undefined {
  const mark = incompleteOf(m);
  if (mark) return mark.reason;
  if (m.status === 'interrupted') return 'interrupted';
  if (m.status === 'cancelled' && (m.text || m.reasoning)) return 'cancelled';
  if (m.status === 'error' && (m.text || m.reasoning)) return 'cut';
  return undefined;
}

/** For the span: every partial answer of the history and whether it went marked or was left out. */
export function historyNotes(messages: Message[]): HistoryNote[] {
  const notes: HistoryNote[] = [];
  for (const m of messages) {
    if (m.role !== 'assistant' || m.status === 'streaming' || m.superseded) continue;
    const reason = partialReason(m);
    if (!reason) continue;
    notes.push({ messageId: m.id, reason, sent: reason !== 'interrupted' && m.text ? 'marked' : 'left-out' });
  }
  return notes;
}

export function buildChatRequest(messages: Message[], opts: RequestOptions): ChatRequest {
  const answered = new Set(messages.filter((m) => m.role === 'tool' && m.toolCallId).map((m) => m.toolCallId));
  const sent = new Set<string>();
  const out: ChatMessage[] = [];
  if (opts.systemPrompt) out.push({ role: 'system', content: opts.systemPrompt });
  for (const m of messages) {
    // Another answer to the same prompt stands in for it (Retry, Regenerate): its whole turn is left out.
    if (m.superseded) continue;
    const msg = toChatMessage(m, answered, sent, opts);
    if (msg) out.push(msg);
  }
  const req: ChatRequest = { model: opts.model, messages: out };
  if (opts.tools?.length) req.tools = toolSpecs(opts.tools);
  return withStructuredOutput(req, opts.output, opts.structuredOutput ?? 'words');
}

function toChatMessage(
  m: Message,
  answered: Set<string | undefined>,
  sent: Set<string>,
  opts: RequestOptions,
): ChatMessage | undefined {
  switch (m.role) {
    case 'system':
      return { role: 'system', content: m.text };
    case 'user':
      return { role: 'user', content: userContent(m, { bytes: opts.attachmentBytes, vision: opts.vision }) };
    case 'notice':
      return undefined;
    case 'tool':
      return m.toolCallId && sent.has(m.toolCallId)
        ? { role: 'tool', content: m.text, tool_call_id: m.toolCallId }
        : undefined;
    case 'assistant':
      return assistantMessage(m, answered, sent);
  }
}

function assistantMessage(m: Message, answered: Set<string | undefined>, sent: Set<string>): ChatMessage | undefined {
  if (m.status === 'streaming') return undefined;
  const reason = partialReason(m);
  // Its call is re-issued: the new answer stands in for it.
  if (reason === 'interrupted') return undefined;
  const calls = (m.toolCalls ?? []).filter((c) => answered.has(c.id));
  const text = reason && m.text ? `${m.text}\n\n${INCOMPLETE_MARKS[reason]}` : m.text;
  if (!text && !calls.length) return undefined;
  for (const c of calls) sent.add(c.id);
  const msg: ChatMessage = { role: 'assistant', content: text || null };
  if (calls.length)
    msg.tool_calls = calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  return msg;
}
