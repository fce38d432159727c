import type { Message } from '@boocode/shared/doc/session-schema';
import { describe, expect, it } from 'vitest';
import { editablePrompt, editForkPoint } from './edit-prompt.ts';

const msg = (turn: number, role: Message['role'], text: string, extra: Partial<Message> = {}): Message => ({
  id: `msg_${turn}_${role}_${text}`,
  role,
  createdAt: turn,
  turn,
  status: 'done',
  text,
  reasoning: '',
  ...extra,
});

describe('edit on the last prompt', () => {
  it('forks at the turn before the last prompt, keeping every message before it', () => {
    const messages = [
      msg(1, 'user', 'one'),
      msg(1, 'assistant', 'a1'),
      msg(2, 'user', 'two'),
      msg(2, 'assistant', 'a2'),
    ];
    const prompt = editablePrompt(messages)!;
    expect(prompt.text).toBe('two');
    expect(editForkPoint(messages, prompt)).toEqual({ turn: 1, messageCount: 2 });
  });

  it('cuts before every asking of a regenerated prompt, so no answer to the old wording is copied', () => {
    const messages = [
      msg(1, 'user', 'one'),
      msg(1, 'assistant', 'a1'),
      msg(2, 'user', 'two', { superseded: true }),
      msg(2, 'assistant', 'a2', { superseded: true }),
      msg(3, 'user', 'two', { alternativeOf: 2 }),
      msg(3, 'assistant', 'a2 again'),
    ];
    const prompt = editablePrompt(messages)!;
    expect(prompt.turn).toBe(3);
    expect(editForkPoint(messages, prompt)).toEqual({ turn: 1, messageCount: 2 });
  });

  it('editing the first prompt forks an empty session', () => {
    const messages = [msg(1, 'user', 'one'), msg(1, 'assistant', 'a1')];
    expect(editForkPoint(messages, editablePrompt(messages)!)).toEqual({ turn: 0, messageCount: 0 });
  });

  it('offers no edit on a subagent result that woke the lead, nor on an empty session', () => {
    const result = '[subagent reviewer done] (id ses_child1)\nLooks fine.';
    expect(editablePrompt([])).toBeUndefined();
    expect(editablePrompt([msg(1, 'user', 'one'), msg(1, 'assistant', 'a1'), msg(2, 'user', result)])).toBeUndefined();
  });
});
