// Cache-shape telemetry: a request cut into the segments a provider's prefix cache sees in order (system
// prompt, tool schemas, conversation history, the new input), each with bytes, estimated tokens (~4 chars
// per token) and a SHA-256 hash, plus a bounded preview the cache-break explainer diffs.
import type { PromptSegment } from '../doc/session-schema.ts';
import type { ChatMessage, ChatRequest } from './model-client.ts';
import { sha256Hex, utf8Encode } from './web-platform.ts';

export const PREVIEW_MAX_CHARS = 4000;
const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Splits non-system messages into history and the new input (what follows the last assistant message). */
export function splitConversation(messages: ChatMessage[]): { history: ChatMessage[]; input: ChatMessage[] } {
  const rest = messages.filter((m) => m.role !== 'system');
  let last = -1;
  for (let i = rest.length - 1; i >= 0; i--)
    if (rest[i]?.role === 'assistant') {
      last = i;
      break;
    }
  return { history: rest.slice(0, last + 1), input: rest.slice(last + 1) };
}

async function shortHash(s: string): Promise<string> {
  return (await sha256Hex(s)).slice(0, 12);
}

/** One line per item: `label shortHash`, so the explainer can find which item changed or moved. */
async function itemLines(items: Array<{ label: string; text: string }>): Promise<string> {
  const lines = await Promise.all(items.map(async (it) => `${it.label} ${await shortHash(it.text)}`));
  return cap(lines.join('\n'));
}

function cap(s: string): string {
  return s.length > PREVIEW_MAX_CHARS ? s.slice(0, PREVIEW_MAX_CHARS) : s;
}

async function segment(kind: PromptSegment['kind'], text: string, preview: string): Promise<PromptSegment> {
  return { kind, bytes: utf8Encode(text).length, tokens: estimateTokens(text), hash: await sha256Hex(text), preview };
}

export async function segmentRequest(req: ChatRequest): Promise<PromptSegment[]> {
  const system = req.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n');
  const tools = req.tools ?? [];
  const { history, input } = splitConversation(req.messages);
  const msgItems = (ms: ChatMessage[]) => ms.map((m) => ({ label: m.role, text: JSON.stringify(m) }));
  return Promise.all([
    segment('system', system, cap(system)),
    segment(
      'tools',
      JSON.stringify(tools),
      await itemLines(tools.map((t) => ({ label: t.function.name, text: JSON.stringify(t) }))),
    ),
    segment('history', history.map((m) => JSON.stringify(m)).join('\n'), await itemLines(msgItems(history))),
    segment('input', input.map((m) => JSON.stringify(m)).join('\n'), await itemLines(msgItems(input))),
  ]);
}
