import { describe, expect, it } from 'vitest';
import { idTime, newId } from './ids.ts';

describe('newId', () => {
  it('ids made in one millisecond sort in the order they were made', () => {
    const ids = Array.from({ length: 500 }, () => newId('spn', 1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(idTime(ids[0]!)).toBe(1_700_000_000_000);
  });

  it('a seeded source gives the same ids on a replay', () => {
    const seeded = (seed: number) => () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const run = () => {
      const r = seeded(42);
      return [newId('msg', 5, r), newId('msg', 5, r)];
    };
    expect(run()).toEqual(run());
    expect(run()[0]).toMatch(/^msg_[0-9a-z]{18}$/);
  });
});
