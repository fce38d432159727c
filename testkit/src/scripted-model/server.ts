// The scripted model: an OpenAI-compatible HTTP server (`/v1/chat/completions`, `/v1/models`) whose answers
// come from scenario rules, speaking the wire shape of the server each model id imitates (wire-shapes.ts),
// with prompt-cache accounting so cache telemetry is tested truthfully, `response_format` and forced tool
// calls honoured, and (with `apiKey`) a real 401 for a request without the key.
// Every request is recorded (`GET /_requests`, `POST /_reset`) so tests can see exactly what was sent.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PromptCache, serializePrompt } from './prompt-cache.ts';
import { resolveResponse, type StructuredAsk, streamChoices, usageBlock } from './response-chunks.ts';
import {
  parseScenario,
  type ResponseScript,
  type Rule,
  requestFacts,
  ruleMatches,
  type Scenario,
  type ScenarioInput,
  type WireMessage,
} from './scenario.ts';
import { SCRIPTED_MODELS, usageModeOfModel, WIRE_SHAPES, type WireShape } from './wire-shapes.ts';

export { SCRIPTED_MODELS } from './wire-shapes.ts';

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
  /** When set, every request must carry `Authorization: Bearer <apiKey>`, or it gets OpenAI's 401. */
  apiKey?: string;
  /** The models `GET /models` lists (default: every scripted model); with `strictModels`, others get a 404. */
  models?: string[];
  strictModels?: boolean;
}

export async function startScriptedModel(opts: ScriptedModelOptions): Promise<ScriptedModel> {
  // Catch-all rules (an empty match) answer only when no specific rule of any scenario does.
  const all: Rule[] = opts.scenarios.flatMap((s) => parseScenario(s).rules);
  const isCatchAll = (r: Rule) => Object.values(r.match).every((v) => v === undefined);
  const rules = [...all.filter((r) => !isCatchAll(r)), ...all.filter(isCatchAll)];
  const state = new ServerState(rules, opts);
  const server = createServer((req, res) => {
    handle(state, req, res).catch((e: unknown) => {
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

  constructor(
    readonly rules: Rule[],
    readonly opts: ScriptedModelOptions,
  ) {}

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
  if (state.opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${state.opts.apiKey}`)
    return sendAuthError(res, req.headers.authorization);
  if (req.method === 'GET' && (path === '/v1/models' || path === '/models'))
    return sendJson(res, 200, {
      object: 'list',
      data: (state.opts.models ?? SCRIPTED_MODELS).map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'boocode-scripted-model',
      })),
    });
  if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions'))
    return chatCompletions(state, record, res);
  sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
}

interface ChatBody {
  model?: string;
  messages?: WireMessage[];
  tools?: Array<{ function?: { name?: string } }>;
  tool_choice?: unknown;
  response_format?: { type?: string };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

/** How the request asks for a structured answer: a JSON Schema format, a forced `respond` call, or not at all. */
function structuredAsk(body: ChatBody): StructuredAsk {
  if (body.response_format?.type === 'json_schema') return 'json_schema';
  const choice = body.tool_choice as { function?: { name?: string } } | string | undefined;
  const offersRespond = body.tools?.some((t) => t.function?.name === 'respond');
  if (typeof choice === 'object' && choice?.function?.name === 'respond') return 'tool';
  if (choice === 'required' && offersRespond) return 'tool';
  return 'words';
}

const NO_MATCH: ResponseScript = {
  text: 'Scripted model: no scenario rule matched "{{lastUser}}".',
  chunkChars: 8,
  argumentChunks: 3,
  interleaveToolCalls: false,
  delayMs: 0,
  hang: false,
  nullDeltas: false,
};

async function chatCompletions(state: ServerState, record: RecordedRequest, res: ServerResponse): Promise<void> {
  const body = (record.body ?? {}) as ChatBody;
  if (!Array.isArray(body.messages)) return sendJson(res, 400, { error: { message: 'messages must be an array' } });
  const model = body.model ?? SCRIPTED_MODELS[0] ?? 'scripted-deepseek';
  if (state.opts.strictModels && !(state.opts.models ?? SCRIPTED_MODELS).includes(model))
    return sendJson(res, 404, {
      error: {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        code: 'model_not_found',
      },
    });
  const facts = requestFacts(model, body.messages);
  const ruleIndex = state.rules.findIndex((r) => ruleMatches(r.match, facts));
  record.rule = ruleIndex;
  const script = state.rules[ruleIndex]?.response ?? NO_MATCH;
  const shape = WIRE_SHAPES[script.usage ?? usageModeOfModel(model)];
  const ask = structuredAsk(body);
  if (ask === 'json_schema' && !shape.jsonSchema)
    // DeepSeek's own words for a format it does not take.
    return sendJson(res, 400, {
      error: { message: 'This response_format type is unavailable now', type: 'invalid_request_error' },
    });

  if (script.error && state.shouldFail(ruleIndex, script)) return sendScriptedError(res, script.error);
  if (script.hang) return; // The socket stays open until the client gives up or the server closes.

  const cache = state.cache.account(serializePrompt(body.messages, body.tools), shape.cache);
  record.cache = cache;
  const resolved = resolveResponse(script, facts, state.nextSeq(), ask);
  const usage = usageBlock(shape, cache, resolved);
  const id = `chatcmpl-scripted-${state.nextSeq()}`;
  const created = Math.floor(Date.now() / 1000);

  if (!body.stream) return sendJson(res, 200, completionObject(id, created, model, resolved, usage, shape));
  await streamResponse(res, script, shape, {
    id,
    created,
    model,
    usage: body.stream_options?.include_usage ? usage : null,
    includeUsage: body.stream_options?.include_usage === true,
    choices: streamChoices(script, resolved, shape),
  });
}

/** The usage block as it stands `share` of the way through the answer (completion tokens so far). */
function runningUsage(usage: Record<string, unknown>, share: number): Record<string, unknown> {
  const prompt = Number(usage.prompt_tokens ?? 0);
  const completion = Math.round(Number(usage.completion_tokens ?? 0) * share);
  return { ...usage, completion_tokens: completion, total_tokens: prompt + completion };
}

/** OpenAI's answer to a missing or wrong key, word for word in shape. */
function sendAuthError(res: ServerResponse, given: string | undefined): void {
  const message = given
    ? 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.'
    : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  sendJson(res, 401, { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
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
  shape: WireShape,
): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: r.text || null };
  if (r.reasoning) message[shape.reasoningField] = r.reasoning;
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
  includeUsage: boolean;
  choices: ReturnType<typeof streamChoices>;
}

async function streamResponse(res: ServerResponse, script: ResponseScript, shape: WireShape, plan: StreamPlan) {
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  // The status and headers go out now: a cut before the first chunk is then a stream that ended before its
  // first byte, not a refused connection.
  res.flushHeaders();
  // Each frame is awaited until handed to the socket, so a scripted cut drops the connection *after* the
  // chunks before it reached the client, as a real mid-stream failure does.
  const frame = (obj: unknown) =>
    new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(obj)}\n\n`, () => resolve()));
  const base = { id: plan.id, object: 'chat.completion.chunk', created: plan.created, model: plan.model };
  // Where usage rides: `null` on every chunk (OpenAI), the real block on the finish chunk (DeepSeek).
  const nullUsage = plan.includeUsage && shape.nullUsageOnChunks ? { usage: null } : {};
  let sent = 0;
  for (const [i, choice] of plan.choices.entries()) {
    if (script.delayMs) await sleep(script.delayMs);
    if (closed) return;
    if (script.cutAfterChunks !== undefined && sent >= script.cutAfterChunks) {
      // A cut stream: the connection drops with no finish reason and no [DONE].
      await sleep(10);
      res.destroy();
      return;
    }
    const last = i === plan.choices.length - 1;
    const usage =
      plan.usage && shape.usage === 'every-chunk'
        ? { usage: runningUsage(plan.usage, (i + 1) / plan.choices.length) }
        : last && plan.usage && shape.usage === 'finish-chunk'
          ? { usage: plan.usage }
          : nullUsage;
    await frame({ ...base, choices: [{ index: 0, ...choice }], ...usage });
    sent++;
  }
  // A cut after every chunk: the answer finished, but [DONE] (and a separate usage chunk) never came.
  if (script.cutAfterChunks !== undefined && sent >= script.cutAfterChunks) {
    await sleep(10);
    res.destroy();
    return;
  }
  if (plan.usage && shape.usage === 'separate-chunk') await frame({ ...base, choices: [], usage: plan.usage });
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
  // As a local server that wants its rate limits honoured would: the page may read them.
  res.setHeader('access-control-expose-headers', 'retry-after, x-request-id');
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
