import { makeEngine, newSessionDoc, startTestModel } from '@boocode/testkit/engine-harness';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSpans } from '../doc/spans.ts';
import { explainCacheBreak } from '../model/cache-break.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startTestModel();
});
afterAll(() => model.close());

const RULES = Array.from({ length: 60 }, (_, i) => `Rule ${i + 1}: keep edits small, explain them, and run the tests.`);

function systemPrompt(at: string): string {
  return ['You are BooCode, a coding agent.', 'Be brief.', `Current time: ${at}`, ...RULES].join('\n');
}

describe('agent engine: cache-shape telemetry against DeepSeek-style accounting', () => {
  it('a stable prefix gives rising cache hits; a changed system prompt is named as the break', async () => {
    const doc = newSessionDoc();
    let now = '2026-11-25T10:00:00Z';
    const engine = makeEngine(doc, model, { config: { systemPrompt: () => systemPrompt(now) } });
    for (const n of [1, 2, 3]) await engine.runTurn({ text: `cache turn ${n}` });
    now = '2026-11-25T10:05:00Z';
    await engine.runTurn({ text: 'cache turn 4' });

    const calls = listSpans(doc).filter((s) => s.kind === 'model');
    const hits = calls.map((s) => s.usage?.cacheHit ?? -1);
    expect(hits[0]).toBe(0);
    expect(hits[1]).toBeGreaterThan(hits[0]!);
    expect(hits[2]).toBeGreaterThan(hits[1]!);
    expect(hits.slice(0, 3).every((h) => h % 64 === 0)).toBe(true);
    // The timestamp sits on line 3, before any 64-token unit could be shared: nothing is cached.
    expect(hits[3]).toBe(0);
    expect(calls[3]?.usage?.cacheMiss).toBe(calls[3]?.usage?.prompt);

    const seg = calls.map((s) => s.segments ?? []);
    expect(explainCacheBreak(seg[1]!, seg[2]!)).toBeNull();
    const why = explainCacheBreak(seg[2]!, seg[3]!);
    expect(why).toMatchObject({ segment: 'system', line: 3 });
    expect(why?.reason).toMatch(/^system prompt changed at line 3: a timestamp/);
  });
});
