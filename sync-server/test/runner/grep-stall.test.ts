// One grep must not stall the runner: a pattern that backtracks catastrophically ((a+)+$ on a line of
// a's ending in "!", about 10 s for 27 a's and doubling with each more) runs off the event loop and is cut
// off at the runner's grep limit with a clear error, while other requests are answered meanwhile.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawResponse, type RunnerFixture, startRunner } from './runner-fixture.ts';

let f: RunnerFixture;
const LIMIT_MS = 4000;

beforeAll(async () => {
  f = await startRunner({ grepTimeoutMs: LIMIT_MS });
  // 28 a's: ~20 s of backtracking in V8, far past the limit (and short enough that a blocking grep ends).
  await writeFile(join(f.workspace, 'evil.txt'), `${'a'.repeat(28)}!\n`);
  await writeFile(join(f.workspace, 'plain.txt'), 'needle in a haystack\n');
});
afterAll(() => f.close());

describe('a catastrophic grep pattern', () => {
  it('is cut off at the limit with a clear error, while other requests are answered first', async () => {
    const order: string[] = [];
    const settle = (name: string, request: Promise<RawResponse>) =>
      request.then((response) => {
        order.push(name);
        return response;
      });
    const evil = settle('evil grep', f.post('/tools/grep', { input: { pattern: '(a+)+$', path: 'evil.txt' } }));
    // Sent after it: with the search on the event loop these would wait for it to finish.
    const health = settle('health', f.get('/health'));
    const other = settle('other grep', f.post('/tools/grep', { input: { pattern: 'needle', path: 'plain.txt' } }));

    const [evilResponse, healthResponse, otherResponse] = await Promise.all([evil, health, other]);
    expect(healthResponse.json()).toEqual({ ok: true });
    expect(otherResponse.json().matches).toEqual([{ path: 'plain.txt', line: 1, text: 'needle in a haystack' }]);
    expect(order.indexOf('evil grep')).toBe(2);
    expect(evilResponse.status).toBe(422);
    expect(evilResponse.json()).toMatchObject({ code: 'GREP_TIMED_OUT', details: { timeoutMs: LIMIT_MS } });
    expect(evilResponse.json().message).toMatch(/grep stopped after 4000 ms.*\(a\+\)\+\$/);
  });

  it('leaves grep working afterwards', async () => {
    const res = await f.post('/tools/grep', { input: { pattern: 'hay\\w+' } });
    expect(res.status).toBe(200);
    expect(res.json().matches).toEqual([{ path: 'plain.txt', line: 1, text: 'needle in a haystack' }]);
  });
});
