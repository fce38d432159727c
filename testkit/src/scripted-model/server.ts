// The scripted model: an OpenAI-compatible HTTP server (`/v1/chat/completions`, `/v1/models`) whose answers
// come from scenario rules, with DeepSeek-style prompt-cache accounting so cache telemetry is tested truthfully.
// Every request is recorded (`GET /_requests`, `POST /_reset`) so tests can see exactly what was sent.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PromptCache, serializePrompt } from './prompt-cache.ts';
import { resolveResponse, streamChoices, usageBlock } from './response-chunks.ts';
import {
  parseScenario,
  type ResponseScript,
  type Rule,
  requestFacts,
  ruleMatches,
  type Scenario,
  type ScenarioInput,
  type UsageMode,
  type WireMessage,
} from './scenario.ts';

export const SCRIPTED_MODELS = ['scripted-deepseek', 'scripted-openai', 'scripted-no-usage'] as const;

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** The rule that answered (index in the merged rule list), or -1. */
  rule?: number;
  cache?: { promptTokens: number; hitTokens: number; missTokens: number };
}

export interface ScriptedModel {
  port: number;
  /** e.g. http://127.0.0.1:8790/v1 */
  baseUrl: string;
  requests(): RecordedRequest[];
  /** The chat completions answered, in arrival order, each with its last user message (what it was asked). */
  chatCalls(): { at: number; lastUser: string }[];
  reset(): void;
  close(): Promise<void>;
}

export interface ScriptedModelOptions {
  port?: number;
  host?: string;
  scenarios: Array<Scenario | ScenarioInput>;
}

export async function startScriptedModel(opts: ScriptedModelOptions): Promise<ScriptedModel> {
  // Catch-all rules (an empty match) answer only when no specific rule of any scenario does.
  const all: Rule[] = opts.scenarios.flatMap((s) => parseScenario(s).rules);
  const isCatchAll = (r: Rule) => Object.values(r.match).every((v) => v === undefined);
  const rules = [...all.filter((r) => !isCatchAll(r)), ...all.filter(isCatchAll)];
  const state = new ServerState(rules);
  const server = createServer((req, res) => {
    handle(state, req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(e) } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    baseUrl: `http://${opts.host ?? '127.0.0.1'}:${port}/v1`,
    requests: () => [...state.recorded],
    chatCalls: () =>
      state.recorded
        .filter((r) => r.path.endsWith('/chat/completions'))
        .map((r) => {
          const body = r.body as { model?: string; messages?: WireMessage[] } | undefined;
          return { at: r.at, lastUser: requestFacts(body?.model ?? '', body?.messages ?? []).lastUser };
        }),
    reset: () => state.reset(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

class ServerState {
  recorded: RecordedRequest[] = [];
  cache = new PromptCache();
  private errorCounts = new Map<number, number>();
  private seq = 0;

  constructor(readonly rules: Rule[]) {}

  reset(): void {
    this.recorded = [];
    this.cache.reset();
    this.errorCounts.clear();
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** Counts a scripted error for a rule; false once its `times` are used up. */
  shouldFail(ruleIndex: number, script: ResponseScript): boolean {
    if (!script.error) return false;
    const n = (this.errorCounts.get(ruleIndex) ?? 0) + 1;
    this.errorCounts.set(ruleIndex, n);
    return script.error.times === undefined || n <= script.error.times;
  }
}

async function handle(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  allowLocalOrigin(req, res);
  if (req.method === 'OPTIONS') {
    res.writeHead(204);
    res.end();
    return;
  }
  const raw = await readBody(req);
  if (req.method === 'GET' && path === '/_requests') return sendJson(res, 200, state.recorded);
  if (req.method === 'POST' && path === '/_reset') {
    state.reset();
    return sendJson(res, 200, { ok: true });
  }
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    return sendJson(res, 400, { error: { message: 'request body is not JSON' } });
  }
  const record: RecordedRequest = { at: Date.now(), method: req.method ?? '', path, headers: req.headers, body };
  state.recorded.push(record);
  if (req.method === 'GET' && (path === '/v1/models' || path === '/models'))
    return sendJson(res, 200, {
      object: 'list',
      data: SCRIPTED_MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'boocode-scripted-model' })),
    });
  if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions'))
    return chatCompletions(state, record, res);
  sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
}

interface ChatBody {
  model?: string;
  messages?: WireMessage[];
  tools?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

const NO_MATCH: ResponseScript = {
  text: 'Scripted model: no scenario rule matched "{{lastUser}}".',
  chunkChars: 8,
  argumentChunks: 3,
  interleaveToolCalls: false,
  delayMs: 0,
};

async function chatCompletions(state: ServerState, record: RecordedRequest, res: ServerResponse): Promise<void> {
  const body = (record.body ?? {}) as ChatBody;
  if (!Array.isArray(body.messages)) return sendJson(res, 400, { error: { message: 'messages must be an array' } });
  const model = body.model ?? SCRIPTED_MODELS[0];
  const facts = requestFacts(model, body.messages);
  const ruleIndex = state.rules.findIndex((r) => ruleMatches(r.match, facts));
  record.rule = ruleIndex;
  const script = state.rules[ruleIndex]?.response ?? NO_MATCH;

  if (script.error && state.shouldFail(ruleIndex, script)) return sendScriptedError(res, script.error);

  const cache = state.cache.account(serializePrompt(body.messages, body.tools));
  record.cache = cache;
  const resolved = resolveResponse(script, facts, state.nextSeq());
  const usage = usageBlock(usageModeOf(script, model), cache, resolved);
  const id = `chatcmpl-scripted-${state.nextSeq()}`;
  const created = Math.floor(Date.now() / 1000);

  if (!body.stream) return sendJson(res, 200, completionObject(id, created, model, resolved, usage));
  await streamResponse(res, script, {
    id,
    created,
    model,
    usage: body.stream_options?.include_usage ? usage : null,
    choices: streamChoices(script, resolved),
  });
}

function usageModeOf(script: ResponseScript, model: string): UsageMode {
  if (script.usage) return script.usage;
  if (model === 'scripted-openai') return 'openai';
  if (model === 'scripted-no-usage') return 'none';
  return 'deepseek';
}

function sendScriptedError(res: ServerResponse, err: NonNullable<ResponseScript['error']>): void {
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  const type = err.status === 401 ? 'authentication_error' : err.status === 429 ? 'rate_limit_error' : 'api_error';
  sendJson(res, err.status, { error: { message: err.message ?? `scripted ${err.status}`, type } }, headers);
}

function completionObject(
  id: string,
  created: number,
  model: string,
  r: ReturnType<typeof resolveResponse>,
  usage: Record<string, unknown> | null,
): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: r.text || null };
  if (r.reasoning) message.reasoning_content = r.reasoning;
  if (r.toolCalls.length)
    message.tool_calls = r.toolCalls.map((tc) => ({
      id: tc.id,
      type: 'function',
      function: { name: tc.name, arguments: tc.arguments },
    }));
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message, finish_reason: r.finishReason }],
    ...(usage ? { usage } : {}),
  };
}

interface StreamPlan {
  id: string;
  created: number;
  model: string;
  usage: Record<string, unknown> | null;
  choices: ReturnType<typeof streamChoices>;
}

async function streamResponse(res: ServerResponse, script: ResponseScript, plan: StreamPlan) {
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  // Each frame is awaited until handed to the socket, so a scripted cut drops the connection *after* the
  // chunks before it reached the client, as a real mid-stream failure does.
  const frame = (obj: unknown) =>
    new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(obj)}\n\n`, () => resolve()));
  const base = { id: plan.id, object: 'chat.completion.chunk', created: plan.created, model: plan.model };
  let sent = 0;
  for (const choice of plan.choices) {
    if (script.delayMs) await sleep(script.delayMs);
    if (closed) return;
    if (script.cutAfterChunks !== undefined && sent >= script.cutAfterChunks) {
      // A cut stream: the connection drops with no finish reason and no [DONE].
      await sleep(10);
      res.destroy();
      return;
    }
    await frame({ ...base, choices: [{ index: 0, ...choice }] });
    sent++;
  }
  if (plan.usage) await frame({ ...base, choices: [], usage: plan.usage });
  res.write('data: [DONE]\n\n');
  res.end();
}

/** A page served from localhost (the demo) may call the scripted model directly; other origins get no CORS. */
function allowLocalOrigin(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (!origin || !/^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin)) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'origin');
  res.setHeader('access-control-allow-headers', 'authorization, content-type');
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
