// Builds the model request from the session doc's messages. Partial answers of a crashed driver and notices
// are left out, and an assistant's tool calls are sent only together with their results, so the history
// the provider sees is always valid even after a cancel or an interrupted tool.
import type { Message } from '../doc/session-schema.ts';
import type { ChatMessage, ChatRequest, ChatToolSpec } from '../model/model-client.ts';
import { type AttachmentBytes, userContent } from './attachment-parts.ts';
import type { ToolDefinition } from './engine-deps.ts';

export interface RequestOptions {
  model: string;
  systemPrompt?: string;
  tools?: ToolDefinition[];
  /** Bytes of the messages' attachments by SHA-256 (see loadAttachmentBytes). */
  attachmentBytes?: AttachmentBytes;
  /** False when the model takes no images. */
  vision?: boolean;
}

export function toolSpecs(defs: ToolDefinition[]): ChatToolSpec[] {
  return defs.map((d) => ({
    type: 'function',
    function: { name: d.name, description: d.description, parameters: d.parameters },
  }));
}

export function buildChatRequest(messages: Message[], opts: RequestOptions): ChatRequest {
  const answered = new Set(messages.filter((m) => m.role === 'tool' && m.toolCallId).map((m) => m.toolCallId));
  const sent = new Set<string>();
  const out: ChatMessage[] = [];
  if (opts.systemPrompt) out.push({ role: 'system', content: opts.systemPrompt });
  for (const m of messages) {
    const msg = toChatMessage(m, answered, sent, opts);
    if (msg) out.push(msg);
  }
  const req: ChatRequest = { model: opts.model, messages: out };
  if (opts.tools?.length) req.tools = toolSpecs(opts.tools);
  return req;
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
    case 'assistant': {
      if (m.status === 'streaming' || m.status === 'interrupted') return undefined;
      const calls = (m.toolCalls ?? []).filter((c) => answered.has(c.id));
      if (!m.text && !calls.length) return undefined;
      for (const c of calls) sent.add(c.id);
      const msg: ChatMessage = { role: 'assistant', content: m.text || null };
      if (calls.length)
        msg.tool_calls = calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        }));
      return msg;
    }
  }
}
