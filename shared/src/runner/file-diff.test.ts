import { describe, expect, it } from 'vitest';
import { diffLines, fileDiff } from './file-diff.ts';

describe('fileDiff', () => {
  it('shows a changed line as - then + inside a hunk with context', () => {
    const d = fileDiff('a\nb\nc\n', 'a\nB\nc\n');
    expect(d.text).toBe('@@ -1,3 +1,3 @@\n a\n-b\n+B\n c');
    expect(d).toMatchObject({ added: 1, removed: 1, truncated: false });
  });

  it('counts a new file as all additions', () => {
    const d = fileDiff('', 'x\ny\n');
    expect(d.text.split('\n').filter((l) => l.startsWith('+'))).toEqual(['+x', '+y']);
    expect(d.added).toBe(2);
  });

  it('leaves out later hunks past the cap and says so, keeping the counts', () => {
    const old = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const next = old.replace('line 10', 'LINE 10').replace('line 150', 'LINE 150');
    const d = fileDiff(old, next, 120);
    expect(d.truncated).toBe(true);
    expect(d.text).toContain('+LINE 10');
    expect(d.text).not.toContain('LINE 150');
    expect(d).toMatchObject({ added: 2, removed: 2 });
  });

  it('gives up on a change too large to diff cheaply instead of stalling', () => {
    const a = Array.from({ length: 2000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 2000 }, (_, i) => `b${i}`).join('\n');
    expect(fileDiff(a, b)).toEqual({ text: '', truncated: true, added: 0, removed: 0 });
  });
});

describe('diffLines', () => {
  it('classifies hunk, added, removed, context and marker lines', () => {
    expect(diffLines('@@ -1 +1 @@\n-a\n+b\n c\n\\ No newline at end of file').map((l) => l.kind)).toEqual([
      'hunk',
      'remove',
      'add',
      'context',
      'note',
    ]);
  });
});
