import { canonicalJson, specHash } from '@boocode/shared/workflow/spec-hash';
import { describe, expect, it } from 'vitest';

describe('spec hash', () => {
  it('canonical JSON sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('is the SHA-256 of the canonical prompt and work-changing options', async () => {
    const hash = await specHash('hello', { model: 'm' });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // sha256('{"model":"m","prompt":"hello"}')
    const { createHash } = await import('node:crypto');
    expect(hash).toBe(createHash('sha256').update('{"model":"m","prompt":"hello"}').digest('hex'));
  });

  it('ignores label and phase and key order, but not model, schema or tools', async () => {
    const base = await specHash('p', { model: 'm', tools: ['a'] });
    expect(await specHash('p', { tools: ['a'], label: 'x', phase: 'y', model: 'm' })).toBe(base);
    expect(await specHash('p', { model: 'other', tools: ['a'] })).not.toBe(base);
    expect(await specHash('p', { model: 'm', tools: ['b'] })).not.toBe(base);
    expect(await specHash('p', { model: 'm', tools: ['a'], schema: { type: 'object' } })).not.toBe(base);
  });
});
