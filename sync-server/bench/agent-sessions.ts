// What the agent benchmarks share: the scripted answers they ask for (fast ones measure overhead, slow ones
// keep a turn streaming), sessions written into the installation as a tab writes them, and waits on a tab's
// own synced doc. Every wait is on a doc condition with a timeout, never a fixed sleep.
import { queueTurn } from '@boocode/shared/agent/agent-engine';
import { realClock } from '@boocode/shared/agent/engine-deps';
import { SPACE_DOC, sessionDocName } from '@boocode/shared/doc/names';
import { appendMessage, getRunState, initSessionMeta, listMessages, setRunState } from '@boocode/shared/doc/session';
import { putSessionEntry, updateSessionEntry } from '@boocode/shared/doc/space';
import { newId } from '@boocode/shared/ids';
import { hostsInAwareness } from '@boocode/shared/protocol/host-presence';
import type { ScenarioInput } from '@boocode/testkit/scripted-model/scenario';
import type * as Y from 'yjs';
import type { HostDoc } from '../src/host/host-docs.ts';
import type { Installation } from '../test/host/host-fixture.ts';

const FAST_TEXT =
  'A short scripted answer with no delay between chunks, so the time of a turn is the drivers own work: ' +
  'the lease claim, the model call over loopback, the doc writes and their sync.';
const SLOW_TEXT =
  'This scripted answer streams slowly, four characters every tenth of a second, long enough for its driver ' +
  'to be killed mid-answer and for another driver to take the turn over.';

/** Message prefixes that pick the benchmark's rules. */
export const ASK = { fast: 'bench fast', slow: 'bench slow', long: 'bench long' } as const;

export const AGENT_BENCH_SCENARIO: ScenarioInput = {
  name: 'bench-agents',
  rules: [
    { match: { lastUserContains: ASK.fast }, response: { text: FAST_TEXT, chunkChars: 16 } },
    { match: { lastUserContains: ASK.slow }, response: { text: SLOW_TEXT, chunkChars: 4, delayMs: 100 } },
    // ~12 s of streaming: the busy sessions of the memory figure stay busy while it samples.
    { match: { lastUserContains: ASK.long }, response: { text: SLOW_TEXT.repeat(3), chunkChars: 4, delayMs: 30 } },
  ],
};

export interface BenchSession {
  id: string;
  handle: HostDoc;
  doc: Y.Doc;
}

/**
 * A chat session as a tab creates it (meta naming the scripted model, an index entry), optionally with
 * `history` finished turns already in it. Nothing is queued.
 */
export async function createSession(inst: Installation, title: string, history = 0): Promise<BenchSession> {
  const id = newId('ses');
  const now = Date.now();
  const handle = inst.tab.openDoc(sessionDocName(id));
  await handle.whenSynced;
  const space = inst.tab.openDoc(SPACE_DOC);
  const doc = handle.doc;
  doc.transact(() => {
    initSessionMeta(doc, {
      id,
      title,
      kind: 'chat',
      createdAt: now,
      model: 'scripted-deepseek',
      provider: 'scripted',
      modelBaseUrl: inst.model.baseUrl,
    });
    for (let turn = 1; turn <= history; turn++) {
      appendMessage(doc, { id: newId('msg'), role: 'user', turn, createdAt: now, text: `earlier question ${turn}` });
      appendMessage(doc, { id: newId('msg'), role: 'assistant', turn, createdAt: now, text: FAST_TEXT });
    }
    if (history) setRunState(doc, { turn: history, status: 'idle' });
  });
  putSessionEntry(space.doc, { id, title, kind: 'chat', status: 'idle', createdAt: now, updatedAt: now });
  space.release();
  return { id, handle, doc };
}

/** Hands a turn to the agent host as a tab does: the message queued in the doc, the index saying `queued`. */
export function queueForHost(inst: Installation, s: BenchSession, text: string): number {
  const turn = queueTurn(s.doc, { text }, { clock: realClock, newId: (p) => newId(p) });
  const space = inst.tab.openDoc(SPACE_DOC);
  updateSessionEntry(space.doc, s.id, { status: 'queued', updatedAt: Date.now() });
  space.release();
  return turn;
}

/** The turn ended with a whole answer and the run is idle, as the doc says. */
export function turnAnswered(doc: Y.Doc, turn: number): boolean {
  const run = getRunState(doc);
  if (run.turn !== turn || run.status !== 'idle') return false;
  const last = listMessages(doc).at(-1);
  return last?.role === 'assistant' && last.turn === turn && last.status === 'done';
}

export function assistantChars(doc: Y.Doc): number {
  const last = listMessages(doc).at(-1);
  return last?.role === 'assistant' ? last.text.length : 0;
}

/** Resolves once `cond` holds, checked after every change of `doc`; rejects after `timeoutMs`. */
export function waitFor(doc: Y.Doc, cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cond()) return resolve();
    const check = () => {
      if (!cond()) return;
      clearTimeout(timer);
      doc.off('afterTransaction', check);
      resolve();
    };
    const timer = setTimeout(() => {
      doc.off('afterTransaction', check);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    doc.on('afterTransaction', check);
  });
}

/** Resolves once the space doc's awareness shows exactly these host ids present. */
export function waitForHosts(space: HostDoc, hostIds: string[], timeoutMs: number): Promise<void> {
  const present = () => {
    const ids = hostsInAwareness(space.awareness.getStates() as Map<number, Record<string, unknown>>).map((h) => h.id);
    return hostIds.every((id) => ids.includes(id)) && ids.length === hostIds.length;
  };
  return new Promise((resolve, reject) => {
    if (present()) return resolve();
    const check = () => {
      if (!present()) return;
      clearTimeout(timer);
      space.awareness.off('change', check);
      resolve();
    };
    const timer = setTimeout(() => {
      space.awareness.off('change', check);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for hosts ${hostIds.join(', ')}`));
    }, timeoutMs);
    space.awareness.on('change', check);
  });
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(ms: number[]): { p50: number; p95: number; mean: number; n: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / (ms.length || 1);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), mean, n: ms.length };
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
