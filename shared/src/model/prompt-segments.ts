// Cache-shape telemetry: a request cut into the segments a provider's prefix cache sees in order (system
// prompt, tool schemas, conversation history, the new input), each with bytes, estimated tokens (~4 chars
// per token) and a SHA-256 hash, plus a bounded preview the cache-break explainer diffs.

import { digest } from 'lib0/hash/sha256';
import type { PromptSegment } from '../doc/session-schema.ts';
import type { ChatMessage, ChatRequest } from './model-client.ts';
import { utf8Encode } from './web-platform.ts';

/**
 * SHA-256 hex, computed synchronously (lib0's JS implementation): WebCrypto's digest completes on a thread
 * pool at a time of its own, which made a turn's order of events depend on the machine's load (a seeded
 * replay of drivers racing could not replay).
 */
function sha256Hex(s: string): string {
  let hex = '';
  for (const b of digest(utf8Encode(s))) hex += b.toString(16).padStart(2, '0');
  return hex;
}

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

function shortHash(s: string): string {
  return sha256Hex(s).slice(0, 12);
}

/** One line per item: `label shortHash`, so the explainer can find which item changed or moved. */
async function itemLines(items: Array<{ label: string; text: string }>): Promise<string> {
  const lines = items.map((it) => `${it.label} ${shortHash(it.text)}`);
  return cap(lines.join('\n'));
}

function cap(s: string): string {
  return s.length > PREVIEW_MAX_CHARS ? s.slice(0, PREVIEW_MAX_CHARS) : s;
}

async function segment(kind: PromptSegment['kind'], text: string, preview: string): Promise<PromptSegment> {
  return { kind, bytes: utf8Encode(text).length, tokens: estimateTokens(text), hash: sha256Hex(text), preview };
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
