// Recorded sessions for the trace, timeline and cache panes: spans, snapshots and messages written to the
// real sync server through the shared accessors, the way the agent engine on another device would.
import { sessionDocName } from '@boocode/shared/doc/names';
import type { PromptSegment, Snapshot, Span } from '@boocode/shared/doc/session-schema';
import { appendSnapshot, openSpan } from '@boocode/shared/doc/spans';
import { editServerDoc } from '../harness/server-docs.ts';
import type { TestServer } from '../harness/sync-server.ts';

export type SpanSeed = Omit<Span, 'turn'> & { turn?: number };

export async function writeSpans(server: TestServer, sessionId: string, spans: SpanSeed[]): Promise<void> {
  await editServerDoc(server, sessionDocName(sessionId), (doc) => {
    for (const s of spans) openSpan(doc, { turn: 1, ...s });
  });
}

export async function writeSnapshots(server: TestServer, sessionId: string, snaps: Snapshot[]): Promise<void> {
  await editServerDoc(server, sessionDocName(sessionId), (doc) => {
    for (const s of snaps) appendSnapshot(doc, s);
  });
}

export function segment(kind: PromptSegment['kind'], tokens: number, hash: string, preview?: string): PromptSegment {
  return { kind, tokens, bytes: tokens * 4, hash, ...(preview !== undefined ? { preview } : {}) };
}

/**
 * `count` spans: model calls, each followed by two tool calls, and every 50th model call a subagent with
 * nested children, laid out over time like a long agent session.
 */
export function manySpans(count: number, start: number): Span[] {
  const out: Span[] = [];
  let t = start;
  let parent: string | undefined;
  for (let i = 0; out.length < count; i++) {
    const turn = Math.floor(i / 3);
    const id = `spn_${String(i).padStart(7, '0')}`;
    if (i % 150 === 0) {
      parent = id;
      out.push({ id, kind: 'subagent', name: `explore-${i}`, turn, startedAt: t, endedAt: t + 4_000, status: 'ok' });
      t += 10;
      continue;
    }
    const kind = i % 3 === 1 ? 'model' : 'tool';
    const dur = kind === 'model' ? 800 + (i % 7) * 100 : 40 + (i % 11) * 10;
    out.push({
      id,
      kind,
      name: kind === 'model' ? 'deepseek-chat' : i % 2 ? 'read_file' : 'run_command',
      turn,
      startedAt: t,
      endedAt: t + dur,
      status: i % 97 === 0 ? 'error' : 'ok',
      ...(i % 150 < 6 && parent ? { parentId: parent } : {}),
      ...(kind === 'model'
        ? {
            model: 'deepseek-chat',
            usage: {
              reported: true,
              prompt: 2000 + i,
              completion: 120,
              reasoning: 0,
              cacheHit: 1800,
              cacheMiss: 200 + i,
            },
          }
        : { input: { path: `src/file-${i}.ts` }, output: `contents of file ${i}` }),
    });
    t += dur + 5;
  }
  return out;
}
