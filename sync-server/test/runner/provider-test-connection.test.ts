// Test connection through the runner (POST /providers/:id/test): it lists the models, sends a few
// one-token requests with the key the runner holds, and says in words what works — streaming, usage,
// cached tokens, tool calls, vision, structured output — against servers that differ in each.
import { type ConnectionReport, connectionReportSchema } from '@boocode/shared/model/connection-report';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerFixture, startRunner } from './runner-fixture.ts';

const scenario = {
  name: 'probe',
  rules: [
    { match: { lastUser: 'Call the ping tool.' }, response: { toolCalls: [{ name: 'ping', arguments: {} }] } },
    { match: { lastUser: 'Answer with the word yes.' }, response: { json: { answer: 'yes' }, text: 'yes' } },
    { match: {}, response: { text: 'OK' } },
  ],
};
let server: ScriptedModel;
let f: RunnerFixture;

beforeAll(async () => {
  server = await startScriptedModel({ scenarios: [scenario], apiKey: 'sk-probe' });
  f = await startRunner({ env: {} });
  for (const id of ['custom-probe', 'custom-nokey'])
    await fetch(`${f.url}/providers/${id}`, {
      method: 'PUT',
      headers: { ...f.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        label: id === 'custom-probe' ? 'Probe' : 'Spare',
        baseUrl: server.baseUrl,
        needsKey: true,
      }),
    });
  await fetch(`${f.url}/providers/custom-probe/key`, {
    method: 'PUT',
    headers: { ...f.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: 'sk-probe' }),
  });
});
afterAll(async () => {
  await f.close();
  await server.close();
});

async function probe(id: string, model?: string): Promise<ConnectionReport> {
  const res = await f.post(`/providers/${id}/test`, model ? { model } : {});
  expect(res.status).toBe(200);
  return connectionReportSchema.parse(res.json());
}
const check = (r: ConnectionReport, id: string) => r.checks.find((c) => c.id === id);

describe('Test connection', () => {
  it('reports everything working for an OpenAI-shaped server, and suggests response_format', async () => {
    const r = await probe('custom-probe', 'scripted-openai');
    expect(r.models).toContain('scripted-openai');
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['models', 'works'],
      ['streaming', 'works'],
      ['usage', 'works'],
      ['cached-tokens', 'works'],
      ['tool-calls', 'works'],
      ['vision', 'works'],
      ['structured-output', 'works'],
    ]);
    expect(check(r, 'models')?.words).toMatch(/^Lists \d+ models\.$/);
    expect(check(r, 'structured-output')?.words).toBe('Honours response_format with a JSON Schema.');
    expect(r.structuredOutput).toBe('json_schema');
    expect(r.summary).toBe('Probe answers and everything the app uses works.');
    // Each request asked for a token or a few, never an open-ended answer.
    const bodies = server
      .requests()
      .filter((q) => q.path.endsWith('/chat/completions'))
      .map((q) => q.body as { max_tokens?: number });
    expect(bodies.every((b) => (b.max_tokens ?? 0) > 0 && (b.max_tokens ?? 0) <= 32)).toBe(true);
  });

  it('says in words what a DeepSeek-shaped server lacks (no JSON Schema format) and falls back to a forced tool call', async () => {
    const r = await probe('custom-probe', 'scripted-deepseek');
    expect(check(r, 'structured-output')).toMatchObject({
      status: 'fails',
      words: expect.stringMatching(/Does not honour response_format json_schema \(.*unavailable now\)/),
    });
    expect(r.structuredOutput).toBe('tool');
    expect(r.summary).toMatch(/^Probe answers; works: .*; does not: structured-output\.$/);
  });

  it('names missing usage and missing cache figures', async () => {
    const none = await probe('custom-probe', 'scripted-null-usage');
    expect(check(none, 'usage')).toMatchObject({
      status: 'fails',
      words: expect.stringMatching(/Sends no token usage/),
    });
    const ollama = await probe('custom-probe', 'scripted-ollama');
    expect(check(ollama, 'cached-tokens')).toMatchObject({
      status: 'fails',
      words: expect.stringMatching(/Does not say how many prompt tokens came from its cache/),
    });
  });

  it('says when the model is not one the server lists, and when the runner has no key yet', async () => {
    const r = await probe('custom-probe', 'gpt-nowhere');
    expect(check(r, 'models')?.words).toMatch(/but not “gpt-nowhere”: check its id/);
    const before = server.requests().length;
    const nokey = await probe('custom-nokey', 'scripted-openai');
    expect(nokey).toMatchObject({
      checks: [],
      summary: 'The runner has no API key for Spare yet: add it, then test again.',
    });
    expect(server.requests()).toHaveLength(before);
  });
});
