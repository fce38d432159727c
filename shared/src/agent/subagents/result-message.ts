// Reads back the message a finished child's result is delivered as (subagent-records.ts resultMessageText
// writes it), so the chat can show it as a result card that links to the child instead of a plain user bubble.
import type { SubagentStatus } from './subagent-records.ts';

export interface ParsedResultMessage {
  label: string;
  status: Extract<SubagentStatus, 'done' | 'failed' | 'cancelled'>;
  childId: string;
  body: string;
}

const HEAD = /^\[subagent (.+) (done|failed|cancelled)\] \(id (ses_[A-Za-z0-9_-]+)\)(?:\n([\s\S]*))?$/;

export function parseResultMessage(text: string): ParsedResultMessage | undefined {
  const m = HEAD.exec(text);
  if (!m) return undefined;
  return { label: m[1]!, status: m[2] as ParsedResultMessage['status'], childId: m[3]!, body: m[4] ?? '' };
}
