import { describe, expect, it } from 'vitest';
import { dayStart, searchFormToQuery, statsRange, validateSearchForm } from './search-form.ts';

describe('search form', () => {
  it('keeps the known fields of the URL, trimmed, and drops empty and unknown ones', () => {
    expect(validateSearchForm({ q: '  parser ', name: '', status: 'error', evil: 'x', from: 2026 })).toEqual({
      q: 'parser',
      status: 'error',
      from: '2026',
    });
  });

  it('turns days into UTC milliseconds, the last day inclusive to its last millisecond', () => {
    expect(searchFormToQuery({ q: 'x', from: '2026-11-01', to: '2026-11-02' })).toEqual({
      q: 'x',
      from: Date.UTC(2026, 10, 1),
      to: Date.UTC(2026, 10, 3) - 1,
    });
  });

  it('says in words why a form cannot be asked', () => {
    expect(searchFormToQuery({ from: '2026-02-30' })).toEqual({ error: expect.stringContaining('not a day') });
    expect(searchFormToQuery({ from: '2026-11-02', to: '2026-11-01' })).toEqual({
      error: 'The first day is after the last.',
    });
    expect(dayStart('yesterday')).toBeUndefined();
  });

  it('draws the last 30 days unless the form names days', () => {
    const now = Date.UTC(2026, 11, 8, 15);
    expect(statsRange({}, now)).toMatchObject({ from: Date.UTC(2026, 10, 9), to: undefined });
    expect(statsRange({ from: '2026-11-01' }, now)).toMatchObject({ from: Date.UTC(2026, 10, 1), to: undefined });
  });
});
