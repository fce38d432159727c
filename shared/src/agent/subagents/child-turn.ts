// Runs a subagent's turn in its own session, exactly once across tabs: a fresh child gets its prompt as turn 1;
// a child that already has its turn (another driver started it and died, or finished it) is resumed or read
// back from its doc instead of being prompted again. The session's Web Lock (taken by the engine) decides who
// drives; a child another driver holds is reported as `elsewhere`, so the adopter leaves it alone.
import type * as Y from 'yjs';
import { getRunState, listMessages } from '../../doc/session.ts';
import type { AbortSignalLike } from '../../model/model-client.ts';
import { type AgentEngine, SessionBusyError } from '../agent-engine.ts';
import { type ChildOutcome, childOutcome } from './subagent-manager.ts';

export async function runChildTurn(
  engine: AgentEngine,
  childDoc: Y.Doc,
  prompt: string,
  signal: AbortSignalLike,
): Promise<ChildOutcome> {
  try {
    if (getRunState(childDoc).turn === 0)
      return childOutcome(childDoc, await engine.runTurn({ text: prompt }, { signal }));
    const resumed = await engine.resume({ signal });
    return resumed ? childOutcome(childDoc, resumed) : outcomeInDoc(childDoc);
  } catch (e) {
    if (e instanceof SessionBusyError) return { status: 'elsewhere' };
    throw e;
  }
}

/** The outcome of a child whose turn already ended: its last answer, or why there is none. */
export function outcomeInDoc(childDoc: Y.Doc): ChildOutcome {
  const turn = getRunState(childDoc).turn;
  const last = listMessages(childDoc)
    .filter((m) => m.role === 'assistant' && m.turn === turn)
    .at(-1);
  if (last?.status === 'cancelled') return { status: 'cancelled' };
  if (last?.status === 'error')
    return { status: 'failed', error: last.error ?? { code: 'error', message: 'The subagent failed.' } };
  return { status: 'done', text: last?.text ?? '' };
}
