import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { explainCacheBreak } from './cache-break.ts';
import type { ChatRequest, ChatToolSpec } from './model-client.ts';
import { segmentRequest } from './prompt-segments.ts';

const tool = (name: string, desc = name): ChatToolSpec => ({
  type: 'function',
  function: { name, description: desc, parameters: { type: 'object' } },
});

function req(system: string, tools: ChatToolSpec[], convo: ChatRequest['messages']): ChatRequest {
  return { model: 'm', messages: [{ role: 'system', content: system }, ...convo], tools };
}

const t1 = [{ role: 'user' as const, content: 'hi' }];
const t2 = [...t1, { role: 'assistant' as const, content: 'hello' }, { role: 'user' as const, content: 'more' }];

describe('cache-shape segments', () => {
  it('cuts a request into system, tools, history and input with bytes, tokens and a SHA-256 hash', async () => {
    const segs = await segmentRequest(req('sys é', [tool('a')], t2));
    expect(segs.map((s) => s.kind)).toEqual(['system', 'tools', 'history', 'input']);
    expect(segs[0]).toMatchObject({ bytes: 6, tokens: 2, preview: 'sys é' });
    expect(segs[0]?.hash).toBe(createHash('sha256').update('sys é').digest('hex'));
    expect(segs[3]?.preview?.split('\n')).toHaveLength(1);
  });
});

describe('cache-break explainer', () => {
  it('growth of the conversation is not a break', async () => {
    const a = await segmentRequest(req('sys', [tool('a')], t1));
    const b = await segmentRequest(req('sys', [tool('a')], t2));
    expect(explainCacheBreak(a, b)).toBeNull();
  });
  it('names a tool schema order change', async () => {
    const a = await segmentRequest(req('sys', [tool('a'), tool('b')], t1));
    const b = await segmentRequest(req('sys', [tool('b'), tool('a')], t2));
    expect(explainCacheBreak(a, b)).toEqual({ segment: 'tools', reason: 'tool schema order changed' });
  });
  it('names an added tool and a changed tool schema', async () => {
    const a = await segmentRequest(req('sys', [tool('a')], t1));
    expect(explainCacheBreak(a, await segmentRequest(req('sys', [tool('a'), tool('z')], t2)))?.reason).toBe(
      'tool schemas changed: added z',
    );
    expect(explainCacheBreak(a, await segmentRequest(req('sys', [tool('a', 'new text')], t2)))?.reason).toBe(
      'tool schema changed: a',
    );
  });
  it('names an edited history message', async () => {
    const a = await segmentRequest(req('sys', [], t2));
    const edited = [
      { role: 'user' as const, content: 'HI' },
      ...t2.slice(1),
      { role: 'assistant' as const, content: 'x' },
    ];
    const b = await segmentRequest(req('sys', [], [...edited, { role: 'user', content: 'next' }]));
    expect(explainCacheBreak(a, b)).toMatchObject({ segment: 'history', line: 1 });
  });
  it('says what changed on a system prompt line: a number or text', async () => {
    const a = await segmentRequest(req('a\nlimit 10', [], t1));
    expect(explainCacheBreak(a, await segmentRequest(req('a\nlimit 20', [], t2)))?.reason).toMatch(
      /^system prompt changed at line 2: a number/,
    );
    expect(explainCacheBreak(a, await segmentRequest(req('a\nbe nice', [], t2)))?.reason).toMatch(/line 2: text/);
  });
});
