// What the model proxy passes on and how the engine uses it: the provider's status, Retry-After (waited out up
// to a cap, shown on the message, cancellable), request id and rate-limit headers readable by the page; a
// stream cut before its first byte stays a cut (sent once, never a 500); and every refusal names who refused:
// the runner (token, its own 409, an unknown provider), the provider (its own 409, a model it does not know,
// a web page instead of the API) or the network (a server that never answers).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentEngine } from '@boocode/shared/agent/agent-engine';
import { realClock } from '@boocode/shared/agent/engine-deps';
import { getMessage, initSessionMeta, listMessages } from '@boocode/shared/doc/session';
import { listSpans } from '@boocode/shared/doc/spans';
import { newId } from '@boocode/shared/ids';
import { createChatCompletionsClient } from '@boocode/shared/model/chat-completions-client';
import type { ModelChunkEvent } from '@boocode/shared/model/model-client';
import { PROVIDER_HEADER } from '@boocode/shared/runner/provider-config';
import { waitForDoc } from '@boocode/testkit/engine-harness';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { APP_ORIGIN, type RunnerFixture, startRunner, TOKEN } from './runner-fixture.ts';

const rules = [
  {
    match: { lastUser: 'busy' },
    response: { error: { status: 429, retryAfter: 2, times: 1 }, text: 'after the wait' },
  },
  { match: { lastUser: 'busy for an hour' }, response: { error: { status: 429, retryAfter: 3600 } } },
  { match: { lastUser: 'busy for a while' }, response: { error: { status: 429, retryAfter: 30 } } },
  { match: { lastUser: 'conflict' }, response: { error: { status: 409, message: 'the provider’s own conflict' } } },
  { match: { lastUser: 'cut early' }, response: { text: 'never arrives', cutAfterChunks: 0 } },
  { match: { lastUser: 'hang' }, response: { hang: true } },
  { match: {}, response: { text: 'echo {{lastUser}}' } },
];

let model: ScriptedModel;
let html: Server;
let f: RunnerFixture;

beforeAll(async () => {
  model = await startScriptedModel({
    scenarios: [{ name: 'wire', rules }],
    models: ['scripted-deepseek'],
    strictModels: true,
  });
  // A base URL that answers a web page, as a mistyped address does.
  html = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Welcome</title><p>It works!</p>');
  });
  await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
  f = await startRunner({
    providers: [
      { id: 'wire', label: 'Wire Co', baseUrl: model.baseUrl, needsKey: false },
      {
        id: 'webpage',
        label: 'Web Page',
        baseUrl: `http://127.0.0.1:${(html.address() as AddressInfo).port}`,
        needsKey: false,
      },
      { id: 'locked', label: 'Locked', baseUrl: model.baseUrl, needsKey: true },
    ],
    env: {},
    modelResponseTimeoutMs: 1000,
  });
});
afterAll(async () => {
  await f.close();
  await model.close();
  html.close();
});
beforeEach(() => model.reset());

/** The app's client for a provider through the runner; the page names the provider in messages. */
const client = (provider: string, token = TOKEN) =>
  createChatCompletionsClient({
    baseUrl: `${f.url}/v1`,
    apiKey: token,
    headers: { [PROVIDER_HEADER]: provider },
    providerLabel: provider === 'wire' ? 'Wire Co' : undefined,
  });

async function failureOf(provider: string, text: string, opts: { token?: string; model?: string } = {}) {
  try {
    const events: ModelChunkEvent[] = [];
    for await (const ev of client(provider, opts.token).stream({
      model: opts.model ?? 'scripted-deepseek',
      messages: [{ role: 'user', content: text }],
    }))
      events.push(ev);
    return { events };
  } catch (e) {
    return { error: e as Error & { code: string; by: string; status?: number } };
  }
}

function engineFor(provider: string, doc: Y.Doc) {
  return new AgentEngine(
    { doc, model: client(provider), clock: realClock, newId: (p) => newId(p), driverId: newId('tab') },
    { model: 'scripted-deepseek' },
  );
}

function sessionDoc(): Y.Doc {
  const doc = new Y.Doc();
  initSessionMeta(doc, { id: newId('ses'), title: 't', kind: 'chat', createdAt: Date.now() });
  return doc;
}

const chatCalls = () => model.requests().filter((r) => r.path.endsWith('/chat/completions'));

describe('Retry-After through the proxy', () => {
  it('the retry goes out when the provider said (the gap is read on the server), with the wait on the message', async () => {
    const doc = sessionDoc();
    const engine = engineFor('wire', doc);
    const seen: unknown[] = [];
    doc.on('afterTransaction', () => {
      const retry = listMessages(doc).find((m) => m.retry)?.retry;
      if (retry) seen.push(retry);
    });
    const result = await engine.runTurn({ text: 'busy' });
    expect(result.outcome).toBe('ok');
    expect(listMessages(doc).at(-1)).toMatchObject({ role: 'assistant', text: 'after the wait' });
    const [first, second] = chatCalls();
    expect(chatCalls()).toHaveLength(2);
    // The server asked for 2 s; without Retry-After the engine's own backoff would have sent it after 1 s.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2000);
    expect(seen[0]).toMatchObject({ waitMs: 2000, attempt: 2, of: 3, reason: expect.stringContaining('Wire Co') });
    expect(listMessages(doc).at(-1)?.retry).toBeUndefined();
  });

  it('passes the status, Retry-After and request id on, readable by the app’s origin through CORS', async () => {
    const res = await f.post('/v1/chat/completions', {
      model: 'scripted-deepseek',
      messages: [{ role: 'user', content: 'busy for an hour' }],
    });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3600');
    expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(String(res.headers['access-control-expose-headers'])).toMatch(
      /retry-after.*x-request-id.*x-ratelimit-remaining-requests/,
    );
    expect(res.headers['x-boocode-error-source']).toBeUndefined();
  });

  it('past the cap (60 s) it fails at once, in words, without a second request', async () => {
    const doc = sessionDoc();
    const result = await engineFor('wire', doc).runTurn({ text: 'busy for an hour' });
    expect(result.outcome).toBe('error');
    expect(result.error?.message).toMatch(
      /Wire Co is rate-limiting requests \(HTTP 429\) \(scripted 429\)\. It asks to wait 60 min\. That is longer than the 60 s this app waits/,
    );
    expect(chatCalls()).toHaveLength(1);
  });

  it('a Cancel while waiting ends the turn cancelled, and nothing more is sent', async () => {
    const doc = sessionDoc();
    const engine = engineFor('wire', doc);
    const running = engine.runTurn({ text: 'busy for a while' });
    await waitForDoc(doc, (d) => listMessages(d).some((m) => m.retry?.waitMs === 30_000));
    engine.cancel();
    const result = await running;
    expect(result.outcome).toBe('cancelled');
    const answer = listMessages(doc).at(-1)!;
    expect(answer).toMatchObject({ status: 'cancelled', error: { message: 'Cancelled while waiting to retry.' } });
    expect(answer.retry).toBeUndefined();
    expect(chatCalls()).toHaveLength(1);
  });
});

describe('a stream cut before its first byte', () => {
  it('is a cut stream for the engine, sent once, never a runner 500', async () => {
    const doc = sessionDoc();
    const result = await engineFor('wire', doc).runTurn({ text: 'cut early' });
    expect(result.outcome).toBe('error');
    expect(result.error?.code).toBe('stream-cut');
    expect(result.error?.message).toMatch(/cut/);
    expect(chatCalls()).toHaveLength(1);
    const span = listSpans(doc).find((s) => s.kind === 'model');
    expect(span?.error?.code).toBe('stream-cut');
    expect(getMessage(doc, span!.messageId!)?.incomplete).toBeUndefined();
  });
});

describe('who refused', () => {
  it('a wrong runner token reads as the runner refusing this device, never as the provider rejecting a key', async () => {
    const { error } = await failureOf('wire', 'hi', { token: 'wrong-token-0123456789abcdef0123456789' });
    expect(error).toMatchObject({ code: 'runner-token', by: 'runner', status: 403 });
    expect(error?.message).toMatch(/The runner refused this device’s token: pair it again in Settings → Runner/);
    expect(error?.message).not.toMatch(/provider/i);
    expect(chatCalls()).toHaveLength(0);
  });

  it('an allowed page can read the runner’s refusal of its token; a foreign origin gets no CORS at all (attack)', async () => {
    const wrong = 'Bearer wrong-token-0123456789abcdef0123456789';
    const mine = await f.post('/v1/chat/completions', { model: 'm', messages: [] }, { authorization: wrong });
    expect(mine.status).toBe(403);
    expect(mine.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(mine.headers['x-boocode-error-source']).toBe('runner');
    expect(mine.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    const evil = await f.post(
      '/v1/chat/completions',
      { model: 'm', messages: [] },
      { authorization: wrong, origin: 'https://evil.example' },
    );
    expect(evil.status).toBe(403);
    expect(evil.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    // With the right token too, a foreign origin is refused before anything reaches the provider.
    const evilWithToken = await f.post(
      '/v1/chat/completions',
      { model: 'm', messages: [] },
      { origin: 'https://evil.example' },
    );
    expect(evilWithToken.status).toBe(403);
    expect(evilWithToken.headers['access-control-allow-origin']).toBeUndefined();
    expect(chatCalls()).toHaveLength(0);
  });

  it('the runner’s own 409 (no key) and the provider’s 409 each read as themselves', async () => {
    const runner = await failureOf('locked', 'hi');
    expect(runner.error).toMatchObject({ code: 'no-key', by: 'runner', status: 409 });
    expect(runner.error?.message).toBe('The runner has no API key for Locked: add it in Settings → Model.');
    const provider = await failureOf('wire', 'conflict');
    expect(provider.error).toMatchObject({ code: 'bad-request', by: 'provider', status: 409 });
    expect(provider.error?.message).toBe('Wire Co refused the request (HTTP 409) (the provider’s own conflict).');
  });

  it('an unknown provider, a model the server does not list, and a page instead of the API, in words', async () => {
    const unknown = await failureOf('nobody', 'hi');
    expect(unknown.error).toMatchObject({ code: 'unknown-provider', by: 'runner', status: 404 });
    expect(unknown.error?.message).toMatch(/The runner has no provider “nobody”/);
    const model404 = await failureOf('wire', 'hi', { model: 'gpt-7' });
    expect(model404.error).toMatchObject({ code: 'not-found', by: 'provider' });
    expect(model404.error?.message).toMatch(/does not know this model or URL \(HTTP 404\).*gpt-7/);
    const page = await failureOf('webpage', 'hi');
    expect(page.error).toMatchObject({ code: 'not-openai', by: 'provider' });
    expect(page.error?.message).toMatch(
      /answered with a web page \(HTML\), not an OpenAI-compatible stream: check the base URL/,
    );
  });

  it('a server that never answers hits the time limit and says so; the session keeps what it had', async () => {
    const doc = sessionDoc();
    const engine = engineFor('wire', doc);
    await engine.runTurn({ text: 'first' });
    const result = await engine.runTurn({ text: 'hang' });
    expect(result.outcome).toBe('error');
    expect(result.error?.message).toBe('Wire Co did not answer within 1 s.');
    expect(listMessages(doc).map((m) => [m.role, m.text])).toEqual([
      ['user', 'first'],
      ['assistant', 'echo first'],
      ['user', 'hang'],
      ['assistant', ''],
    ]);
  });
});
