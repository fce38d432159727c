// The auto-fix dependency over the runner's POST /build/run, against a fake fetch: a result is a check that
// ran, a refusal (approval) is a skip in words, and the request carries the token but never `approved`.
import { describe, expect, it } from 'vitest';
import { createRunnerAutoFix } from './runner-auto-fix.ts';

const pairing = { runnerUrl: 'http://127.0.0.1:8788/', token: 'tok' };
const RESULT = {
  command: { script: 'typecheck', command: 'npm', args: ['run', 'typecheck'] },
  ok: false,
  exitCode: 2,
  timedOut: false,
  durationMs: 5,
  errors: "src/a.ts(1,1): error TS1005: ';' expected.",
  omittedLines: 3,
};

function fakeFetch(status: number, body: unknown) {
  const sent: { url: string; init?: RequestInit }[] = [];
  const doFetch = (async (url: string, init?: RequestInit) => {
    sent.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { doFetch, sent };
}

const signal = new AbortController().signal;

describe('runner auto-fix', () => {
  it('posts to /build/run with the token and without approval, and returns the build result', async () => {
    const f = fakeFetch(200, RESULT);
    const autoFix = createRunnerAutoFix(pairing, { fetch: f.doFetch, maxRounds: 2 });
    expect(autoFix.maxRounds).toBe(2);
    expect(await autoFix.run(signal)).toEqual({ kind: 'ran', result: RESULT });
    expect(f.sent[0]?.url).toBe('http://127.0.0.1:8788/build/run');
    expect(f.sent[0]?.init?.body).toBe('{}');
    expect(new Headers(f.sent[0]?.init?.headers).get('authorization')).toBe('Bearer tok');
  });

  it('is available only when the runner has a build command (GET /build)', async () => {
    const none = fakeFetch(200, { command: null, source: 'none' });
    expect(await createRunnerAutoFix(pairing, { fetch: none.doFetch }).available?.(signal)).toBe(false);
    expect(none.sent[0]?.url).toBe('http://127.0.0.1:8788/build');
    const some = fakeFetch(200, { command: RESULT.command, source: 'package.json' });
    expect(await createRunnerAutoFix(pairing, { fetch: some.doFetch }).available?.(signal)).toBe(true);
  });

  it('turns APPROVAL_REQUIRED into a skip that says how to allow it', async () => {
    const f = fakeFetch(403, { code: 'APPROVAL_REQUIRED', message: 'run_command was not run: needs approval.' });
    const check = await createRunnerAutoFix(pairing, { fetch: f.doFetch }).run(signal);
    expect(check).toEqual({
      kind: 'skipped',
      error: { code: 'APPROVAL_REQUIRED', message: expect.stringContaining('Settings → Runner') },
    });
  });

  it('passes other refusals on as skips with the runner’s words', async () => {
    const f = fakeFetch(404, { code: 'NO_BUILD_COMMAND', message: 'No build or check command.' });
    expect(await createRunnerAutoFix(pairing, { fetch: f.doFetch }).run(signal)).toEqual({
      kind: 'skipped',
      error: { code: 'NO_BUILD_COMMAND', message: 'No build or check command.' },
    });
  });
});
