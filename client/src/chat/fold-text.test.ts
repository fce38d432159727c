import { describe, expect, it } from 'vitest';
import { foldText } from './fold-text.ts';

describe('foldText', () => {
  it('keeps a short text whole', () => {
    expect(foldText('a\nb\n', 2, 100)).toEqual({ head: 'a\nb\n', folded: false });
  });
  it('folds after the line limit', () => {
    expect(foldText('a\nb\nc\nd', 2, 100)).toEqual({ head: 'a\nb', folded: true });
  });
  it('folds one enormous line at the character limit', () => {
    expect(foldText('x'.repeat(50), 10, 20)).toEqual({ head: 'x'.repeat(20), folded: true });
  });
});
