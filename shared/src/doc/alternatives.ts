// Answers to the same prompt (Retry, Regenerate): each is a whole turn (its user message, answers, tool calls
// and results), grouped by the first turn of the group. Exactly one turn of a group is current; the others are
// marked `superseded`, which keeps them out of the model's history. Flipping moves the mark.

import type * as Y from 'yjs';
import { setTurnSuperseded } from './session.ts';
import type { Message } from './session-schema.ts';

/** One group of alternatives: its turns oldest first and the one that stands now. */
export interface AlternativeGroup {
  group: number;
  turns: number[];
  current: number;
}

/** The group a turn belongs to: the first turn of the prompt it answers (itself when never re-asked). */
export function groupOfTurn(messages: Message[], turn: number): number {
  const user = messages.find((m) => m.role === 'user' && m.turn === turn);
  return user?.alternativeOf ?? turn;
}

/** Every group with more than one turn, by group. */
export function alternativeGroups(messages: Message[]): Map<number, AlternativeGroup> {
  const groups = new Map<number, AlternativeGroup>();
  for (const m of messages) {
    if (m.role !== 'user') continue;
    const group = m.alternativeOf ?? m.turn;
    const g = groups.get(group) ?? { group, turns: [], current: m.turn };
    if (!g.turns.includes(m.turn)) g.turns.push(m.turn);
    if (!m.superseded) g.current = m.turn;
    groups.set(group, g);
  }
  for (const [k, g] of groups) if (g.turns.length < 2) groups.delete(k);
  return groups;
}

/** Makes `turn` the current answer of its group: the others are left out of the history from now on. */
export function chooseAlternative(doc: Y.Doc, messages: Message[], turn: number): void {
  const g = alternativeGroups(messages).get(groupOfTurn(messages, turn));
  if (!g) return;
  doc.transact(() => {
    for (const t of g.turns) setTurnSuperseded(doc, t, t !== turn);
  });
}

/**
 * Before a turn that asks `turn`'s prompt again: leaves that turn out of the history and returns the group the
 * new turn joins (its user message's `alternativeOf`). Called inside the transaction that appends the new turn.
 */
export function supersedeForReask(doc: Y.Doc, messages: Message[], turn: number): number {
  const group = groupOfTurn(messages, turn);
  setTurnSuperseded(doc, turn, true);
  return group;
}
