// The headless command's agent over an OpenAI-compatible endpoint (one streamed call, no tools), through the
// same client and the same way of asking for a JSON Schema as the app's engine: `response_format`, a forced
// `respond` call, or the schema in words (MODEL_STRUCTURED_OUTPUT). The app uses the real agent engine.
import {
  answerOfRespondCall,
  effectiveMode,
  promptWithSchemaInWords,
  RESPOND_TOOL,
  withStructuredOutput,
} from '@boocode/shared/agent/structured-request';
import type { OutputSpec } from '@boocode/shared/doc/session-schema';
import { createChatCompletionsClient } from '@boocode/shared/model/chat-completions-client';
import type { ChatRequest } from '@boocode/shared/model/model-client';
import { isModelError } from '@boocode/shared/model/model-error';
import type { StructuredOutputMode } from '@boocode/shared/model/provider-kinds';
import type { FetchLike } from '@boocode/shared/model/web-platform';
import type { RunAgent } from '../engine/agent-contract.ts';

export interface ChatCompletionsConfig {
  /** The server's base URL; `/v1` is added when it does not end in it (the CLI's MODEL_BASE_URL). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** How a schema-bound agent asks (default: in words, which every server takes). */
  structuredOutput?: StructuredOutputMode;
  fetch?: typeof fetch;
}

const SYSTEM = 'You are one agent in a larger workflow. Answer the task directly and completely.';

export function chatCompletionsAgent(config: ChatCompletionsConfig): RunAgent {
  const base = config.baseUrl.replace(/\/+$/, '');
  const client = createChatCompletionsClient({
    baseUrl: base.endsWith('/v1') ? base : `${base}/v1`,
    apiKey: config.apiKey,
    fetch: fetchLike(config.fetch),
  });
  const mode = config.structuredOutput ?? 'words';
  return async (spec, signal) => {
    const output: OutputSpec | undefined = spec.options.schema ? { schema: spec.options.schema } : undefined;
    const prompt =
      output && effectiveMode(mode, output) === 'words' ? promptWithSchemaInWords(spec.prompt, output) : spec.prompt;
    const request: ChatRequest = withStructuredOutput(
      {
        model: spec.options.model ?? config.model,
        messages: [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: prompt },
        ],
      },
      output,
      mode,
    );
    let text = '';
    let tokens = 0;
    const respond = { name: '', args: '' };
    try {
      for await (const ev of client.stream(request, { signal })) {
        if (ev.type === 'text-delta') text += ev.text;
        else if (ev.type === 'usage') tokens = ev.usage.prompt + ev.usage.completion;
        else if (ev.type === 'tool-call-delta' && ev.index === 0) {
          respond.name += ev.name ?? '';
          respond.args += ev.argumentsDelta ?? '';
        }
      }
    } catch (error) {
      if (signal.aborted || (isModelError(error) && error.code === 'aborted')) return null;
      throw error;
    }
    if (output && respond.name === RESPOND_TOOL) text = answerOfRespondCall(respond.args, output);
    return { text, usage: { tokens } };
  };
}

function fetchLike(f: typeof fetch | undefined): FetchLike | undefined {
  return f ? (url, init) => f(url, init as RequestInit) : undefined;
}
