// The settings client against a recording fetch: methods, paths and bodies of each call, answers checked
// against the shared schemas, and every failure turned into words the settings page can show.
import { describe, expect, it } from 'vitest';
import { draftWarning, ruleFromDraft, ruleKeys } from './approval-rule-words.ts';
import { autoFixRoundsError, autoFixRoundsFrom } from './auto-fix-rounds.ts';
import { createRunnerSettingsClient, parseBuildCommandText, RunnerSettingsError } from './runner-settings-client.ts';

function recordingFetch(answer: (url: string, init: RequestInit) => { status: number; body?: unknown }) {
  const sent: Array<{ url: string; method: string; body?: unknown; headers: Record<string, string> }> = [];
  const doFetch = (async (url: string, init: RequestInit) => {
    sent.push({
      url,
      method: init.method ?? 'GET',
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
      headers: init.headers as Record<string, string>,
    });
    const { status, body } = answer(url, init);
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  }) as typeof fetch;
  return { doFetch, sent };
}

const pairing = { runnerUrl: 'http://127.0.0.1:8788/', token: 'tok' };
const deny = { effect: 'deny' as const, tool: 'run_command' as const, command: 'rm *' };

describe('runner settings client', () => {
  it('reads and replaces the rules with the token, and keeps what the runner answers', async () => {
    const f = recordingFetch((_, init) => ({ status: 200, body: { rules: init.method === 'PUT' ? [deny] : [] } }));
    const client = createRunnerSettingsClient(pairing, f.doFetch);
    expect(await client.getRules()).toEqual([]);
    expect(await client.putRules([deny])).toEqual([deny]);
    expect(f.sent.map((s) => [s.method, s.url, s.body])).toEqual([
      ['GET', 'http://127.0.0.1:8788/approval/rules', undefined],
      ['PUT', 'http://127.0.0.1:8788/approval/rules', { rules: [deny] }],
    ]);
    expect(f.sent[1]!.headers).toMatchObject({ authorization: 'Bearer tok', 'content-type': 'application/json' });
  });

  it('sets and clears the build command, and sends a provider key without reading one back', async () => {
    const info = { command: { script: null, command: 'make', args: ['check'] }, source: 'configured' };
    const f = recordingFetch((url) =>
      url.endsWith('/key') ? { status: 204 } : { status: 200, body: url.endsWith('/build') ? info : {} },
    );
    const client = createRunnerSettingsClient(pairing, f.doFetch);
    expect(await client.putBuild(info.command)).toEqual(info);
    await client.putBuild(null);
    await client.putProviderKey('deepseek', 'sk-1');
    expect(f.sent.map((s) => [s.method, s.url.replace('http://127.0.0.1:8788', ''), s.body])).toEqual([
      ['PUT', '/build', { command: info.command }],
      ['PUT', '/build', { command: null }],
      ['PUT', '/providers/deepseek/key', { apiKey: 'sk-1' }],
    ]);
  });

  it('removes a provider key with a JSON body and reads back whether a key is still in force', async () => {
    const f = recordingFetch(() => ({ status: 200, body: { id: 'deepseek', removed: true, hasKey: false } }));
    const client = createRunnerSettingsClient(pairing, f.doFetch);
    expect(await client.deleteProviderKey('deepseek')).toEqual({ id: 'deepseek', removed: true, hasKey: false });
    expect(f.sent.map((s) => [s.method, s.url.replace('http://127.0.0.1:8788', ''), s.body])).toEqual([
      ['DELETE', '/providers/deepseek/key', {}],
    ]);
    expect(f.sent[0]!.headers).toMatchObject({ authorization: 'Bearer tok', 'content-type': 'application/json' });
    const unknown = createRunnerSettingsClient(
      pairing,
      recordingFetch(() => ({ status: 404, body: { code: 'NOT_FOUND', message: 'No provider "x".' } })).doFetch,
    );
    await expect(unknown.deleteProviderKey('x')).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const odd = createRunnerSettingsClient(pairing, recordingFetch(() => ({ status: 204 })).doFetch);
    await expect(odd.deleteProviderKey('deepseek')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('turns refusals, unknown shapes and an unreachable runner into errors in words', async () => {
    const refused = createRunnerSettingsClient(
      pairing,
      recordingFetch(() => ({ status: 403, body: { code: 'UNAUTHORIZED', message: 'Bad token.' } })).doFetch,
    );
    await expect(refused.getRules()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /Pair it again/ });
    const invalid = createRunnerSettingsClient(
      pairing,
      recordingFetch(() => ({ status: 400, body: { code: 'INVALID_REQUEST', message: 'rules.0.tool: bad' } })).doFetch,
    );
    await expect(invalid.putRules([deny])).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'rules.0.tool: bad',
    });
    const odd = createRunnerSettingsClient(
      pairing,
      recordingFetch(() => ({ status: 200, body: { rules: 'x' } })).doFetch,
    );
    await expect(odd.getRules()).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    const down = createRunnerSettingsClient(pairing, (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch);
    const error = await down.listProviders().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerSettingsError);
    expect((error as RunnerSettingsError).message).toContain('Could not reach the runner at http://127.0.0.1:8788');
  });
});

describe('settings input', () => {
  it('splits a build command into program and arguments and refuses shell syntax', () => {
    expect(parseBuildCommandText('  npm  run typecheck ')).toEqual({
      script: null,
      command: 'npm',
      args: ['run', 'typecheck'],
    });
    expect(parseBuildCommandText('npm test && rm -rf x')).toBeInstanceOf(Error);
    expect(parseBuildCommandText('   ')).toBeInstanceOf(Error);
  });

  it('makes rules from drafts and warns about ones that do less or more than they seem', () => {
    expect(ruleFromDraft({ effect: 'deny', tool: 'run_command', command: ' sh   * ' })).toEqual({
      effect: 'deny',
      tool: 'run_command',
      command: 'sh *',
    });
    expect(ruleFromDraft({ effect: 'allow', tool: 'write_file', command: 'ignored' })).toEqual({
      effect: 'allow',
      tool: 'write_file',
    });
    expect(draftWarning({ effect: 'deny', tool: 'run_command', command: 'sh' })).toContain('no arguments only');
    expect(draftWarning({ effect: 'allow', tool: 'run_command', command: '' })).toContain('any command');
    expect(draftWarning({ effect: 'allow', tool: 'run_command', command: 'npm run *' })).toBeUndefined();
    expect(ruleKeys([deny, deny])).toEqual(['deny run_command `rm *`#1', 'deny run_command `rm *`#2']);
  });

  it('reads the auto-fix rounds, falling back to the default for anything not a whole number in range', () => {
    expect(autoFixRoundsFrom(0)).toBe(0);
    expect(autoFixRoundsFrom(5)).toBe(5);
    expect(autoFixRoundsFrom(undefined)).toBe(3);
    expect(autoFixRoundsFrom(-1)).toBe(3);
    expect(autoFixRoundsFrom('2')).toBe(3);
    expect(autoFixRoundsError(1.5)).toMatch(/whole number/);
    expect(autoFixRoundsError(10)).toBeUndefined();
  });
});
