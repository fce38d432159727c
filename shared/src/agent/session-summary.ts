// What the session list shows of a session besides its title, from its doc: the last message as a one-line
// preview, the model, tokens and cost. Whoever mirrors the status into the space index writes it alongside,
// so the list reads only the index (it never opens every session's doc).
import type * as Y from 'yjs';
import { getSessionMeta, listMessages } from '../doc/session.ts';
import type { SessionIndexEntry } from '../doc/space.ts';
import { listSpans } from '../doc/spans.ts';

export const PREVIEW_CHARS = 120;

export type SessionSummary = Pick<SessionIndexEntry, 'preview' | 'model' | 'tokens' | 'cost'>;

export function sessionSummaryOf(doc: Y.Doc): SessionSummary {
  const last = listMessages(doc).findLast(
    (m) => (m.role === 'user' || m.role === 'assistant') && !m.superseded && m.text.trim(),
  );
  let tokens = 0;
  let cost: number | undefined;
  for (const s of listSpans(doc)) {
    if (s.kind !== 'model' || !s.usage?.reported) continue;
    tokens += s.usage.prompt + s.usage.completion;
    if (s.cost !== undefined) cost = (cost ?? 0) + s.cost;
  }
  const summary: SessionSummary = { tokens };
  if (last) summary.preview = previewOf(last.text);
  const model = getSessionMeta(doc)?.model;
  if (model) summary.model = model;
  if (cost !== undefined) summary.cost = cost;
  return summary;
}

/** One line: whitespace runs folded to a space, cut at a word near the limit with an ellipsis. */
export function previewOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= PREVIEW_CHARS) return line;
  const cut = line.slice(0, PREVIEW_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > PREVIEW_CHARS * 0.6 ? cut.slice(0, space) : cut}…`;
}
