import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { chatCompletionsAgent } from '../src/agents/chat-completions-agent.ts';
import { echoAgent } from '../src/agents/echo-agent.ts';
import { readCatalog } from '../src/catalog/node-catalog.ts';
import type { AgentRunSpec } from '../src/engine/agent-contract.ts';
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { loadQuickJS } from '../src/sandbox/quickjs-module.ts';

const spec = (prompt: string, options: AgentRunSpec['options'] = {}): AgentRunSpec => ({
  runId: 'wfr_x',
  agentId: 'agent-0',
  prompt,
  options,
  attempt: 1,
});

describe('echo agent', () => {
  it('answers every catalog workflow well enough to complete it (schemas included)', async () => {
    const quickjs = await loadQuickJS();
    const args = { question: 'q?', diff: '--- a\n+++ b\n-x\n+y' };
    for (const [name, source] of readCatalog()) {
      const outcome = await runWorkflow({ source, args, runAgent: echoAgent, quickjs });
      expect(outcome.status, name).toBe('completed');
    }
  });
});

describe('chat-completions agent', () => {
  it('posts the prompt to /v1/chat/completions (a non-streamed answer too) and reads the answer and tokens', async () => {
    const requests: { url: string; body: Record<string, unknown>; auth: string | null }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      requests.push({
        url,
        body: JSON.parse(String(init.body)) as Record<string, unknown>,
        auth: new Headers(init.headers).get('authorization'),
      });
      return new Response(
        JSON.stringify({
          choices: [{ message: { content: '{"ok":true}' } }],
          usage: { prompt_tokens: 30, completion_tokens: 12 },
        }),
        { headers: { 'content-type': 'application/json' } },
      );
    }) as typeof fetch;
    const agent = chatCompletionsAgent({ baseUrl: 'http://model.test/', model: 'm1', apiKey: 'k', fetch: fakeFetch });
    const reply = await agent(spec('do it', { schema: { type: 'object' }, model: 'm2' }), new AbortController().signal);
    expect(reply).toEqual({ text: '{"ok":true}', usage: { tokens: 42 } });
    expect(requests[0]).toMatchObject({
      url: 'http://model.test/v1/chat/completions',
      auth: 'Bearer k',
      body: { model: 'm2' },
    });
    expect(JSON.stringify(requests[0]?.body.messages)).toContain('JSON Schema');
  });

  it('resolves null when aborted and throws on an error status', async () => {
    const aborting = (async (_url: string, init: RequestInit) => {
      if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError');
      return new Response('overloaded', { status: 529 });
    }) as typeof fetch;
    const agent = chatCompletionsAgent({ baseUrl: 'http://model.test/v1', model: 'm', fetch: aborting });
    const controller = new AbortController();
    controller.abort();
    expect(await agent(spec('x'), controller.signal)).toBeNull();
    await expect(agent(spec('x'), new AbortController().signal)).rejects.toThrow(
      'The provider had a server error (HTTP 529) (overloaded).',
    );
  });
});

describe('headless command', () => {
  it('prints progress and the result, and --state makes a second run reuse every agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-cli-'));
    try {
      const run = () =>
        promisify(execFile)(
          process.execPath,
          [
            '--import',
            'tsx',
            'workflows/cli.ts',
            'multi-review',
            '--args',
            '{"diff":"-a\\n+b"}',
            '--state',
            join(dir, 'run.json'),
          ],
          { env: { ...process.env, MODEL_BASE_URL: '' } },
        );
      const first = await run();
      const lines = first.stdout.trim().split('\n');
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ ok: true, result: { verdict: 'approve', missing: [] } });
      expect(first.stderr).toContain('▶ multi-review');
      expect(first.stderr).toContain('── Judge');
      expect(first.stderr).toContain('■ completed: 5 run, 0 cached');
      const second = await run();
      expect(second.stderr).toContain('■ completed: 0 run, 5 cached, 0 tokens');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
