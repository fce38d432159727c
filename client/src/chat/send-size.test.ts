import { describe, expect, it } from 'vitest';
import { LARGE_MESSAGE_BYTES, oversizeBytes } from './send-size.ts';

describe('oversizeBytes', () => {
  it('lets a message up to 100 KB through without a word', () => {
    expect(oversizeBytes('x'.repeat(LARGE_MESSAGE_BYTES))).toBeUndefined();
  });
  it('reports the size of a message over 100 KB', () => {
    expect(oversizeBytes('x'.repeat(LARGE_MESSAGE_BYTES + 1))).toBe(LARGE_MESSAGE_BYTES + 1);
  });
  it('counts bytes, not characters: 40,000 three-byte characters are over', () => {
    expect(oversizeBytes('€'.repeat(40_000))).toBe(120_000);
  });
});
