// A minimal agent over an OpenAI-compatible /v1/chat/completions endpoint (non-streaming, no
// tools), for the headless command. The app uses the real agent engine instead.
import type { RunAgent } from '../engine/agent-contract.ts';

export interface ChatCompletionsConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

interface ChatCompletionsResponse {
  choices?: { message?: { content?: string | null } }[];
  usage?: { total_tokens?: number; prompt_tokens?: number; completion_tokens?: number };
}

export function chatCompletionsAgent(config: ChatCompletionsConfig): RunAgent {
  const base = config.baseUrl.replace(/\/+$/, '');
  const url = base.endsWith('/v1') ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
  const doFetch = config.fetch ?? fetch;
  return async (spec, signal) => {
    const system = spec.options.schema
      ? `Answer with only a JSON object matching this JSON Schema, no prose: ${JSON.stringify(spec.options.schema)}`
      : 'You are one agent in a larger workflow. Answer the task directly and completely.';
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: spec.options.model ?? config.model,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: spec.prompt },
          ],
        }),
      });
    } catch (error) {
      if (signal.aborted) return null;
      throw error;
    }
    if (!response.ok)
      throw new Error(`model API answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const body = (await response.json()) as ChatCompletionsResponse;
    const text = body.choices?.[0]?.message?.content ?? '';
    const usage = body.usage;
    const tokens = usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0);
    return { text, usage: { tokens } };
  };
}
