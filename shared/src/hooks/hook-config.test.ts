import { describe, expect, it } from 'vitest';
import { hookEvents, hookTimeoutMs, parseHookFile } from './hook-config.ts';

describe('parseHookFile', () => {
  it('reads a hooks file with a command hook and a POST hook', () => {
    const text = JSON.stringify({
      hooks: [
        { on: 'turn.done', run: 'notify-send done' },
        { on: ['subagent.failed', 'workflow.failed'], post: 'http://127.0.0.1:9/x', timeoutMs: 500 },
      ],
    });
    const parsed = parseHookFile(text, 'hooks.json');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.hooks.map(hookEvents)).toEqual([['turn.done'], ['subagent.failed', 'workflow.failed']]);
    expect(parsed.hooks.map(hookTimeoutMs)).toEqual([10_000, 500]);
  });

  it('reports a JSON syntax error with its line and column', () => {
    const text =
      '{\n  "hooks": [\n    { "on": "turn.done", "run": "x" },\n    { "on": "turn.done" "run": "y" }\n  ]\n}\n';
    const parsed = parseHookFile(text, '/ws/.boocode/hooks.json');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatchObject({ file: '/ws/.boocode/hooks.json', line: 4, column: 25 });
    expect(parsed.error.message).toMatch(/^not valid JSON/);
  });

  it('places an unexpected end of the text at its last line', () => {
    const parsed = parseHookFile('{\n  "hooks": [\n', 'h.json');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.line).toBe(3);
  });

  it('names the path and the line of a field of the wrong shape', () => {
    const text =
      '{\n  "hooks": [\n    { "on": "turn.done", "run": "x" },\n    { "on": "turn.finished", "run": "y" }\n  ]\n}';
    const parsed = parseHookFile(text, 'h.json');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatchObject({ path: 'hooks.1.on', line: 4 });
    expect(parsed.error.message).toMatch(/^hooks\.1\.on: /);
  });

  it('refuses a hook with neither or both of run and post, a timeout above the cap, and unknown keys', () => {
    const bad = [
      { hooks: [{ on: 'turn.done' }] },
      { hooks: [{ on: 'turn.done', run: 'x', post: 'http://a/' }] },
      { hooks: [{ on: 'turn.done', run: 'x', timeoutMs: 60_001 }] },
      { hooks: [{ on: 'turn.done', run: 'x', when: 'always' }] },
      { hooks: [{ on: 'turn.done', post: 'file:///etc/passwd' }] },
      { hook: [] },
    ];
    for (const b of bad) expect(parseHookFile(JSON.stringify(b), 'h.json').ok, JSON.stringify(b)).toBe(false);
  });
});
