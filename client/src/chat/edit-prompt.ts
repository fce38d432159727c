// Edit on the last prompt: which message may be edited, and where the session is forked to ask it again. The
// fork cuts before the prompt's whole group of alternatives (Retry, Regenerate), so the fork holds none of
// the answers to the old wording, not even hidden ones.
import { parseResultMessage } from '@boocode/shared/agent/subagents/result-message';
import type { Message } from '@boocode/shared/doc/session-schema';
import type { ForkPoint } from '../timeline/fork-session.ts';

/** The prompt the model answered last, if the user wrote it (a subagent's result that woke the lead is not). */
export function editablePrompt(messages: Message[]): Message | undefined {
  const prompt = messages.findLast((m) => m.role === 'user' && !m.superseded);
  if (!prompt || parseResultMessage(prompt.text)) return undefined;
  return prompt;
}

/** The turn boundary before `prompt` and every earlier asking of it: the fork keeps the messages before it. */
export function editForkPoint(messages: Message[], prompt: Message): ForkPoint {
  const group = prompt.alternativeOf ?? prompt.turn;
  // Messages are appended in turn order, so the first one of the group's turn starts the cut.
  const first = messages.findIndex((m) => m.turn >= group);
  return { turn: group - 1, messageCount: first < 0 ? messages.length : first };
}
