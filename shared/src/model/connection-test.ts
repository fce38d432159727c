// Test connection: lists the server's models, then sends a few requests of a token or two each (a plain
// streamed one, a forced tool call, an image, a JSON Schema answer) and says in words what works: streaming,
// usage, cached-token figures, tool calls, vision and structured output. The same code runs in the runner
// (with the key it holds) and in the page (for a keyless server on this machine).

import {
  type ChatCompletionsClientOptions,
  createChatCompletionsClient,
  listModels,
} from './chat-completions-client.ts';
import type { ConnectionCheck, ConnectionCheckId, ConnectionReport } from './connection-report.ts';
import type { ChatRequest, ModelChunkEvent } from './model-client.ts';
import { isModelError } from './model-error.ts';
import type { StructuredOutputMode } from './provider-kinds.ts';

export interface ConnectionTestOptions extends ChatCompletionsClientOptions {
  /** Shown in the report; also names the provider in error messages. */
  providerLabel: string;
  /** The model to try; else the first one the server lists. */
  model?: string;
}

/** A 1×1 red PNG: the smallest image a vision check can send. */
const RED_PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const PROBE_TIMEOUT_MS = 30_000;

interface Outcome {
  events: ModelChunkEvent[];
  error?: string;
  refused?: boolean;
}

export async function testConnection(opts: ConnectionTestOptions): Promise<ConnectionReport> {
  const client = { ...opts, responseTimeoutMs: opts.responseTimeoutMs ?? PROBE_TIMEOUT_MS };
  const checks = new Map<ConnectionCheckId, ConnectionCheck>();
  const set = (id: ConnectionCheckId, status: ConnectionCheck['status'], words: string) =>
    checks.set(id, { id, status, words });

  let models: string[] = [];
  try {
    models = (await listModels(client)).slice(0, 200);
    set(
      'models',
      models.length ? 'works' : 'fails',
      models.length
        ? `Lists ${models.length} model${models.length > 1 ? 's' : ''}.`
        : 'Lists no models: type the model’s id by hand.',
    );
  } catch (e) {
    set('models', 'fails', `Could not list models: ${messageOf(e)}`);
  }
  const model = opts.model || models[0];
  if (model && models.length && !models.includes(model))
    set('models', 'fails', `Lists ${models.length} models, but not “${model}”: check its id.`);
  if (!model)
    return report(
      opts.providerLabel,
      undefined,
      models,
      checks,
      'No model to try: the server lists none. Type a model id and test again.',
    );

  const plain = await run(client, { model, messages: [{ role: 'user', content: 'Say OK.' }], maxTokens: 1 });
  readPlain(plain, set);
  if (plain.error && !plain.refused)
    return report(opts.providerLabel, model, models, checks, `A plain request to “${model}” failed: ${plain.error}`);

  const tool = await run(client, {
    model,
    messages: [{ role: 'user', content: 'Call the ping tool.' }],
    tools: [
      {
        type: 'function',
        function: { name: 'ping', description: 'Answers pong.', parameters: { type: 'object', properties: {} } },
      },
    ],
    toolChoice: { type: 'function', function: { name: 'ping' } },
    maxTokens: 32,
  });
  const called = tool.events.some((e) => e.type === 'tool-call-delta' && e.name === 'ping');
  set(
    'tool-calls',
    called ? 'works' : 'fails',
    called
      ? 'Calls tools (a forced call came back).'
      : `No tool call came back${tool.error ? `: ${tool.error}` : ' (it answered in text)'}; coder sessions and subagents need tool calls.`,
  );

  const image = await run(client, {
    model,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What colour is this?' },
          { type: 'image_url', image_url: { url: RED_PIXEL } },
        ],
      },
    ],
    maxTokens: 1,
  });
  set(
    'vision',
    image.error ? 'fails' : 'works',
    image.error
      ? `Refused an image: ${image.error}`
      : 'Accepted an image (whether the model sees it depends on the model).',
  );

  const structured = await run(client, {
    model,
    messages: [{ role: 'user', content: 'Answer with the word yes.' }],
    responseFormat: {
      type: 'json_schema',
      json_schema: {
        name: 'probe',
        schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
        strict: false,
      },
    },
    maxTokens: 32,
  });
  const json = isJsonObject(textOf(structured.events));
  set(
    'structured-output',
    json ? 'works' : 'fails',
    json
      ? 'Honours response_format with a JSON Schema.'
      : `Does not honour response_format json_schema${structured.error ? ` (${structured.error})` : ' (the answer was not JSON)'}.`,
  );
  const mode: StructuredOutputMode = json ? 'json_schema' : called ? 'tool' : 'words';
  return { ...report(opts.providerLabel, model, models, checks), structuredOutput: mode };
}

/** A report for a server that could not be tried at all (no key yet), saying why. */
export function untestedReport(provider: string, why: string): ConnectionReport {
  return { provider, models: [], checks: [], summary: why };
}

function readPlain(plain: Outcome, set: (id: ConnectionCheckId, s: ConnectionCheck['status'], w: string) => void) {
  if (plain.error) {
    set('streaming', 'fails', `A streamed request failed: ${plain.error}`);
    for (const id of ['usage', 'cached-tokens'] as const) set(id, 'unknown', 'Not known: the streamed request failed.');
    return;
  }
  const finished = plain.events.some((e) => e.type === 'finish');
  set('streaming', finished ? 'works' : 'fails', finished ? 'Streams answers.' : 'The stream did not finish.');
  const usage = plain.events.find((e): e is Extract<ModelChunkEvent, { type: 'usage' }> => e.type === 'usage')?.usage;
  if (!usage) {
    set('usage', 'fails', 'Sends no token usage: costs and cache figures will not show.');
    set('cached-tokens', 'unknown', 'Not known without usage.');
    return;
  }
  set('usage', 'works', `Reports token usage (${usage.prompt} prompt, ${usage.completion} completion tokens).`);
  set(
    'cached-tokens',
    usage.cacheHit === undefined ? 'fails' : 'works',
    usage.cacheHit === undefined
      ? 'Does not say how many prompt tokens came from its cache.'
      : 'Reports cached prompt tokens, so cache hits and savings show.',
  );
}

async function run(opts: ChatCompletionsClientOptions, request: ChatRequest): Promise<Outcome> {
  const once = async (req: ChatRequest): Promise<Outcome> => {
    const events: ModelChunkEvent[] = [];
    try {
      for await (const ev of createChatCompletionsClient(opts).stream(req)) events.push(ev);
      return { events };
    } catch (e) {
      return { events, error: messageOf(e), refused: isModelError(e) && e.code === 'bad-request' };
    }
  };
  const first = await once(request);
  // Newer OpenAI models refuse `max_tokens` (they take max_completion_tokens): ask again without a cap.
  if (first.refused && /max_tokens/.test(first.error ?? '')) return once({ ...request, maxTokens: undefined });
  return first;
}

function textOf(events: ModelChunkEvent[]): string {
  return events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
}

function isJsonObject(text: string): boolean {
  try {
    const v = JSON.parse(text.trim()) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

function report(
  provider: string,
  model: string | undefined,
  models: string[],
  checks: Map<ConnectionCheckId, ConnectionCheck>,
  failure?: string,
): ConnectionReport {
  const list = [...checks.values()];
  const works = list.filter((c) => c.status === 'works').map((c) => c.id);
  const fails = list.filter((c) => c.status === 'fails').map((c) => c.id);
  const summary =
    failure ??
    (fails.length
      ? `${provider} answers${works.length ? `; works: ${works.join(', ')}` : ''}; does not: ${fails.join(', ')}.`
      : `${provider} answers and everything the app uses works.`);
  return { provider, ...(model ? { model } : {}), models, checks: list, summary };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
