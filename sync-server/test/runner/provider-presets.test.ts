// Every preset of the registry, each against a scripted server on its own port, keyed and keyless, reached
// through the runner's proxy with the app's own client; and the user's own entries: several custom servers,
// each with its own key, added, edited and removed over the runner's endpoints, URLs refused in words.
import { createChatCompletionsClient, listModels } from '@boocode/shared/model/chat-completions-client';
import type { ChatRequest, ModelChunkEvent } from '@boocode/shared/model/model-client';
import { PROVIDER_PRESETS } from '@boocode/shared/model/providers';
import { PROVIDER_HEADER } from '@boocode/shared/runner/provider-config';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerFixture, startRunner, TOKEN } from './runner-fixture.ts';

const scenario = { name: 'echo', rules: [{ match: {}, response: { text: 'echo {{lastUser}}' } }] };
const keyOf = (id: string) => `sk-${id}-0123456789`;
const servers = new Map<string, ScriptedModel>();
let f: RunnerFixture;

beforeAll(async () => {
  for (const p of PROVIDER_PRESETS)
    servers.set(
      p.id,
      await startScriptedModel({ scenarios: [scenario], ...(p.needsKey ? { apiKey: keyOf(p.id) } : {}) }),
    );
  f = await startRunner({
    providers: PROVIDER_PRESETS.map((p) => ({ id: p.id, baseUrl: servers.get(p.id)!.baseUrl })),
    env: {},
  });
});
afterAll(async () => {
  await f.close();
  await Promise.all([...servers.values()].map((s) => s.close()));
});

/** The app's client pointed at the runner's proxy for one provider, as the page builds it. */
function viaRunner(provider: string) {
  return { baseUrl: `${f.url}/v1`, apiKey: TOKEN, headers: { [PROVIDER_HEADER]: provider } };
}

async function chat(provider: string, text: string): Promise<ModelChunkEvent[]> {
  const request: ChatRequest = { model: 'scripted-openai', messages: [{ role: 'user', content: text }] };
  const out: ModelChunkEvent[] = [];
  for await (const ev of createChatCompletionsClient(viaRunner(provider)).stream(request)) out.push(ev);
  return out;
}
const textOf = (events: ModelChunkEvent[]) => events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');

async function putKey(id: string, apiKey: string) {
  const res = await fetch(`${f.url}/providers/${id}/key`, {
    method: 'PUT',
    headers: { ...f.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey }),
  });
  expect(res.status).toBe(204);
}

async function putEntry(id: string, body: unknown) {
  const res = await fetch(`${f.url}/providers/${id}`, {
    method: 'PUT',
    headers: { ...f.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('every preset through the runner', () => {
  const keyed = PROVIDER_PRESETS.filter((p) => p.needsKey);
  const keyless = PROVIDER_PRESETS.filter((p) => !p.needsKey);

  it('has keyed and keyless presets to try (the registry is the runner’s list)', async () => {
    expect(keyed.map((p) => p.id)).toEqual(['deepseek', 'openai', 'openrouter']);
    expect(keyless.map((p) => p.id)).toEqual(['ollama', 'lmstudio', 'openai-compatible', 'scripted']);
    const listed = (await f.get('/providers')).json().providers.map((p: { id: string }) => p.id);
    expect(listed).toEqual(PROVIDER_PRESETS.map((p) => p.id));
  });

  it.each(keyed.map((p) => [p.id, p.label]))(
    '%s: refused by the runner without a key, then answers with it',
    async (id, label) => {
      const server = servers.get(id)!;
      server.reset();
      const refused = await chat(id, 'hi').catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'no-key', by: 'runner' });
      expect((refused as Error).message).toContain(`The runner has no API key for ${label}`);
      // The runner refused it itself: the provider never saw the request.
      expect(server.requests()).toHaveLength(0);

      await putKey(id, keyOf(id));
      const events = await chat(id, `hello ${id}`);
      expect(textOf(events)).toBe(`echo hello ${id}`);
      expect(events.find((e) => e.type === 'usage')).toMatchObject({ usage: { reported: true, cacheHit: 0 } });
      expect(server.requests().at(-1)?.headers.authorization).toBe(`Bearer ${keyOf(id)}`);
      expect(await listModels(viaRunner(id))).toContain('scripted-deepseek');
    },
  );

  it.each(keyless.map((p) => [p.id]))('%s: answers without a key, and no Authorization goes upstream', async (id) => {
    const server = servers.get(id)!;
    server.reset();
    expect(textOf(await chat(id, 'local'))).toBe('echo local');
    expect(server.requests().at(-1)?.headers.authorization).toBeUndefined();
  });

  it('a wrong stored key reaches the provider, whose 401 reads as the provider refusing the key', async () => {
    await putKey('openai', 'sk-wrong');
    const refused = await chat('openai', 'hi').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'auth', by: 'provider', status: 401 });
    expect((refused as Error).message).toMatch(/rejected the API key \(HTTP 401\).*Incorrect API key/);
    await putKey('openai', keyOf('openai'));
  });

  it('a local preset’s URL may move (another port); a cloud preset’s may not, in words', async () => {
    const other = await startScriptedModel({
      scenarios: [{ name: 'o', rules: [{ match: {}, response: { text: 'moved' } }] }],
    });
    try {
      const moved = await putEntry('ollama', { baseUrl: `${other.baseUrl}/` });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ provider: { id: 'ollama', baseUrl: other.baseUrl }, keyDropped: false });
      expect(textOf(await chat('ollama', 'x'))).toBe('moved');
      const fixed = await putEntry('deepseek', { baseUrl: 'https://example.com/v1' });
      expect(fixed.status).toBe(400);
      expect(fixed.body.message).toMatch(/DeepSeek’s address is fixed/);
      // Back to the registry's address (here: the test's server for it).
      expect((await f.delete('/providers/ollama')).json()).toEqual({ id: 'ollama', removed: true });
      expect(textOf(await chat('ollama', 'back'))).toBe('echo back');
    } finally {
      await other.close();
    }
  });
});

describe('the user’s own providers', () => {
  it('keeps several custom servers, each with its own key sent only to it', async () => {
    const a = await startScriptedModel({ scenarios: [scenario], apiKey: 'sk-a-111' });
    const b = await startScriptedModel({ scenarios: [scenario], apiKey: 'sk-b-222' });
    try {
      expect((await putEntry('custom-alpha', { label: 'Alpha', baseUrl: a.baseUrl, needsKey: true })).status).toBe(200);
      expect((await putEntry('custom-beta', { label: 'Beta', baseUrl: b.baseUrl, needsKey: true })).status).toBe(200);
      await putKey('custom-alpha', 'sk-a-111');
      await putKey('custom-beta', 'sk-b-222');
      expect(textOf(await chat('custom-alpha', 'to a'))).toBe('echo to a');
      expect(textOf(await chat('custom-beta', 'to b'))).toBe('echo to b');
      expect(a.requests().map((r) => r.headers.authorization)).toEqual(['Bearer sk-a-111']);
      expect(b.requests().map((r) => r.headers.authorization)).toEqual(['Bearer sk-b-222']);
      const list = (await f.get('/providers')).json().providers as Array<Record<string, unknown>>;
      expect(list.filter((p) => p.origin === 'custom')).toEqual([
        expect.objectContaining({ id: 'custom-alpha', label: 'Alpha', hasKey: true, needsKey: true }),
        expect.objectContaining({ id: 'custom-beta', label: 'Beta', hasKey: true }),
      ]);
      expect(JSON.stringify(list)).not.toContain('sk-a-111');

      // Removing one forgets it and its key; the other stays.
      expect((await f.delete('/providers/custom-alpha')).json()).toEqual({ id: 'custom-alpha', removed: true });
      const gone = await chat('custom-alpha', 'x').catch((e: unknown) => e);
      expect(gone).toMatchObject({ code: 'unknown-provider', by: 'runner' });
      expect(textOf(await chat('custom-beta', 'still'))).toBe('echo still');
    } finally {
      await f.delete('/providers/custom-beta');
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses a base URL that is not one, in words, and stores nothing', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ label: 'X', baseUrl: 'not a url' }, /“not a url” is not a URL: write the whole address with http:\/\//],
      [{ label: 'X', baseUrl: 'localhost:11434/v1' }, /starts with localhost:/],
      [{ label: 'X', baseUrl: 'https://user:pw@example.com/v1' }, /Put the API key in the key field/],
      [
        { label: 'X', baseUrl: 'https://example.com/v1/chat/completions' },
        /without \/chat\/completions.*https:\/\/example\.com\/v1\./,
      ],
      [{ label: 'X', baseUrl: 'http://models.example.com/v1', needsKey: true }, /unencrypted to models\.example\.com/],
      [{ label: 'X', baseUrl: 'ftp://example.com' }, /starts with ftp:/],
      [{ baseUrl: 'https://example.com/v1' }, /needs a name/],
    ];
    for (const [body, words] of cases) {
      const res = await putEntry('custom-bad', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(words);
    }
    const list = (await f.get('/providers')).json().providers as Array<{ id: string }>;
    expect(list.some((p) => p.id === 'custom-bad')).toBe(false);
    // A LAN server over plain http is fine (it stays in the user's network), and so is a keyless one.
    expect(
      (await putEntry('custom-lan', { label: 'LAN', baseUrl: 'http://192.168.1.20:8000/v1', needsKey: true })).status,
    ).toBe(200);
    expect(
      (await putEntry('custom-open', { label: 'Open', baseUrl: 'http://models.example.com/v1', needsKey: false }))
        .status,
    ).toBe(200);
    await f.delete('/providers/custom-lan');
    await f.delete('/providers/custom-open');
  });

  it('drops a stored key when its entry moves to another server, so a key cannot be re-pointed (attack)', async () => {
    const honest = await startScriptedModel({ scenarios: [scenario], apiKey: 'sk-honest' });
    const thief = await startScriptedModel({ scenarios: [scenario] });
    try {
      await putEntry('custom-moving', { label: 'Moving', baseUrl: honest.baseUrl, needsKey: true });
      await putKey('custom-moving', 'sk-honest');
      expect(textOf(await chat('custom-moving', 'a'))).toBe('echo a');
      // A page (or a script injected into it) re-points the entry at a server it controls.
      const moved = await putEntry('custom-moving', { baseUrl: thief.baseUrl });
      expect(moved.body).toMatchObject({ keyDropped: true, provider: { hasKey: false } });
      const refused = await chat('custom-moving', 'b').catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'no-key', by: 'runner' });
      expect(thief.requests()).toHaveLength(0);
      // The same server under another path keeps its key (only the origin decides).
      await putEntry('custom-moving', { baseUrl: honest.baseUrl });
      await putKey('custom-moving', 'sk-honest');
      const samePlace = await putEntry('custom-moving', { baseUrl: `${honest.baseUrl.replace(/\/v1$/, '')}/v1/` });
      expect(samePlace.body).toMatchObject({ keyDropped: false });
    } finally {
      await f.delete('/providers/custom-moving');
      await Promise.all([honest.close(), thief.close()]);
    }
  });
});
