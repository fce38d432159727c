import { describe, expect, it } from 'vitest';
import { argsHelp, reuseNote } from './run-args.ts';

describe('args form', () => {
  it('comes from the meta: description and example, or an empty object', () => {
    const meta = { name: 'w', description: '' };
    expect(argsHelp({ ...meta, args: { description: 'diff: the diff', example: { diff: 'x' } } })).toEqual({
      description: 'diff: the diff',
      placeholder: '{\n  "diff": "x"\n}',
    });
    expect(argsHelp({ ...meta, args: 'a question' })).toEqual({ description: 'a question', placeholder: '{}' });
    expect(argsHelp(meta)).toEqual({ placeholder: '{}' });
  });

  it('says what a re-run reuses under each rule', () => {
    expect(reuseNote('spec-hash')).toContain('same spec hash');
    expect(reuseNote('prefix')).toContain('unchanged prefix');
  });
});
