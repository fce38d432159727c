// The runner client's wire format against a recording fetch: where `approved` and `worktree` go in a tool
// call, and the worktree endpoints' methods, paths and bodies (the runner's wall wants JSON on DELETE too).
import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../model/web-platform.ts';
import { createRunnerClient, RunnerCallError } from './runner-http-client.ts';

function recordingFetch(
  answer: (url: string, init: { method?: string; body?: unknown }) => { status: number; body: unknown },
) {
  const sent: Array<{ url: string; method: string; body?: unknown; headers: Record<string, string> }> = [];
  const doFetch = (async (url: string, init: { method?: string; body?: unknown; headers?: unknown }) => {
    sent.push({
      url,
      method: init.method ?? 'GET',
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
      headers: init.headers as Record<string, string>,
    });
    const { status, body } = answer(url, init);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as FetchLike;
  return { doFetch, sent };
}

const pairing = { runnerUrl: 'http://127.0.0.1:8788/', token: 'tok' };
const info = { id: 'ses_a1', branch: 'boocode/ses_a1', baseCommit: 'abc', createdAt: 1 };

describe('runner client', () => {
  it('puts approved and worktree beside the input, never inside it', async () => {
    const f = recordingFetch(() => ({ status: 200, body: { ok: true } }));
    const client = createRunnerClient(pairing, f.doFetch);
    await client.callTool('write_file', { path: 'a', content: 'x' }, { approved: true, worktree: 'ses_a1' });
    await client.callTool('read_file', { path: 'a' }, {});
    expect(f.sent.map((s) => s.body)).toEqual([
      { input: { path: 'a', content: 'x' }, approved: true, worktree: 'ses_a1' },
      { input: { path: 'a' } },
    ]);
    expect(f.sent[0]!.headers.authorization).toBe('Bearer tok');
  });

  it('calls the worktree endpoints with JSON bodies and validates what comes back', async () => {
    const diff = { ...info, files: [], stat: { files: 0, added: 0, removed: 0 }, diff: '', truncated: false };
    const f = recordingFetch((url, init) => {
      if (url.endsWith('/diff')) return { status: 200, body: diff };
      if (url.endsWith('/merge')) return { status: 200, body: { ...diff, merged: true } };
      if (init.method === 'DELETE')
        return { status: 200, body: { id: 'ses_a1', branch: info.branch, discarded: true } };
      if (init.method === 'GET') return { status: 200, body: { worktrees: [info] } };
      return { status: 201, body: info };
    });
    const client = createRunnerClient(pairing, f.doFetch);
    expect(await client.createWorktree('ses_a1')).toEqual(info);
    expect(await client.listWorktrees()).toEqual([info]);
    expect((await client.worktreeDiff('ses_a1')).stat.files).toBe(0);
    expect((await client.mergeWorktree('ses_a1')).merged).toBe(true);
    expect((await client.discardWorktree('ses_a1')).discarded).toBe(true);
    expect(
      f.sent.map((s) => `${s.method} ${s.url.replace('http://127.0.0.1:8788', '')} ${JSON.stringify(s.body)}`),
    ).toEqual([
      'POST /worktrees {"id":"ses_a1"}',
      'GET /worktrees undefined',
      'GET /worktrees/ses_a1/diff undefined',
      'POST /worktrees/ses_a1/merge {}',
      'DELETE /worktrees/ses_a1 {}',
    ]);
  });

  it('turns a refusal into a RunnerCallError with its code and words', async () => {
    const f = recordingFetch(() => ({
      status: 422,
      body: { code: 'NOT_A_GIT_REPO', message: 'The workspace is not a git repository.' },
    }));
    const error = await createRunnerClient(pairing, f.doFetch)
      .createWorktree('ses_a1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerCallError);
    expect(error).toMatchObject({ code: 'NOT_A_GIT_REPO', message: 'The workspace is not a git repository.' });
  });
});
