// The catalog's deep-research and multi-review through real AgentEngine turns against a server that answers in
// prose unless it is made to follow the schema: asked with `response_format: json_schema` where the provider
// honours it, or with a forced `respond` call where it does not (DeepSeek-shaped), every schema-bound agent
// answers on its first try and both workflows complete. Which way to ask comes from the provider registry.
import { AgentEngine } from '@boocode/shared/agent/agent-engine';
import { realClock } from '@boocode/shared/agent/engine-deps';
import { initSessionMeta } from '@boocode/shared/doc/session';
import { newId } from '@boocode/shared/ids';
import { createChatCompletionsClient } from '@boocode/shared/model/chat-completions-client';
import { providerPreset, structuredOutputOf } from '@boocode/shared/model/providers';
import type { AgentEntry, WorkflowEvent } from '@boocode/shared/workflow/run-record';
import { loadScenarios } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { chatCompletionsAgent } from '../src/agents/chat-completions-agent.ts';
import { readCatalog } from '../src/catalog/node-catalog.ts';
import type { RunAgent } from '../src/engine/agent-contract.ts';
import { replyOf, turnInputFor } from '../src/engine/agent-turn.ts';
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { loadQuickJS } from '../src/sandbox/quickjs-module.ts';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarios('structured-output') });
});
afterAll(() => model.close());
beforeEach(() => model.reset());

/** runAgent over AgentEngine turns with the scripted preset's way of asking for `modelId`. */
function engineAgents(modelId: string): RunAgent {
  const client = createChatCompletionsClient({ baseUrl: model.baseUrl });
  const structuredOutput = structuredOutputOf(providerPreset('scripted'), modelId);
  return async (spec, signal) => {
    const doc = new Y.Doc();
    initSessionMeta(doc, { id: newId('ses'), title: spec.agentId, kind: 'chat', createdAt: Date.now() });
    const engine = new AgentEngine(
      { doc, model: client, clock: realClock, newId: (p) => newId(p), driverId: newId('tab') },
      { model: modelId, structuredOutput, maxRetries: 0 },
    );
    signal.addEventListener('abort', () => engine.cancel(), { once: true });
    return replyOf(doc, await engine.runTurn(turnInputFor(spec)), 'ses');
  };
}

async function run(name: string, args: unknown, runAgent: RunAgent) {
  const source = readCatalog().get(name);
  if (!source) throw new Error(`no ${name} in the catalog`);
  const ends: AgentEntry[] = [];
  const outcome = await runWorkflow({
    source,
    args,
    runAgent,
    quickjs: await loadQuickJS(),
    onEvent: (event: WorkflowEvent) => {
      if (event.type === 'agent-end') ends.push(event.agent);
    },
  });
  return { outcome, attempts: Object.fromEntries(ends.map((a) => [a.label, a.attempts])) };
}

type Body = {
  response_format?: { type: string; json_schema?: { schema: unknown } };
  tool_choice?: unknown;
  tools?: Array<{ function: { name: string; parameters: unknown } }>;
};
const bodies = () =>
  model
    .requests()
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => r.body as Body);

const DEEP_RESEARCH = { question: 'How do tides work?', breadth: 2 };
const MULTI_REVIEW = {
  diff: '--- a/tides.js\n+++ b/tides.js\n@@ -1,3 +1,3 @@\n-for (let i = 0; i <= n; i++)\n+for (let i = 0; i < n - 1; i++)',
  reviewers: [
    { name: 'tide-correctness', focus: 'logic errors' },
    { name: 'tide-security', focus: 'unsafe input' },
  ],
};

describe('structured output against a server that honours response_format', () => {
  it('deep-research completes with every schema-bound agent answering on its first try', async () => {
    const { outcome, attempts } = await run('deep-research', DEEP_RESEARCH, engineAgents('scripted-openai'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('completed');
    expect(outcome.result).toMatchObject({
      subquestions: ['What pulls the oceans?', 'Why are there two tides a day?'],
      findings: [{ confidence: 'high' }, { confidence: 'medium' }],
      report: expect.stringMatching(/^Tides come from/),
    });
    expect(attempts).toEqual({ plan: 1, 'research 1': 1, 'research 2': 1, synthesis: 1 });
    // The three schema-bound asks carried their schema as response_format; the synthesis (no schema) none.
    const asked = bodies();
    expect(asked.map((b) => b.response_format?.type ?? 'none')).toEqual([
      'json_schema',
      'json_schema',
      'json_schema',
      'none',
    ]);
    expect(asked[0]?.response_format?.json_schema?.schema).toMatchObject({ required: ['subquestions'] });
    expect(asked.every((b) => b.tool_choice === undefined)).toBe(true);
  });

  it('multi-review completes: reviewers and judge answer in shape at once', async () => {
    const { outcome, attempts } = await run('multi-review', MULTI_REVIEW, engineAgents('scripted-openai'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({
      verdict: 'request-changes',
      reviewers: ['tide-correctness', 'tide-security'],
      missing: [],
      findings: [{ severity: 'major', file: 'tides.js' }],
    });
    expect(Object.values(attempts)).toEqual([1, 1, 1]);
    expect(bodies().every((b) => b.response_format?.type === 'json_schema')).toBe(true);
  });
});

describe('structured output where the provider has no JSON Schema format', () => {
  it('deep-research and multi-review ask with a forced respond call, and complete', async () => {
    // scripted-deepseek refuses response_format json_schema (400) as DeepSeek does; the registry says 'tool'.
    expect(structuredOutputOf(providerPreset('scripted'), 'scripted-deepseek')).toBe('tool');
    const research = await run('deep-research', DEEP_RESEARCH, engineAgents('scripted-deepseek'));
    expect(research.outcome.status).toBe('completed');
    expect(Object.values(research.attempts)).toEqual([1, 1, 1, 1]);
    const review = await run('multi-review', MULTI_REVIEW, engineAgents('scripted-deepseek'));
    expect(review.outcome.status).toBe('completed');
    expect(review.outcome.result).toMatchObject({ verdict: 'request-changes' });
    const schemaAsks = bodies().filter((b) => b.tools?.some((t) => t.function.name === 'respond'));
    expect(schemaAsks).toHaveLength(3 + 3);
    for (const b of schemaAsks) {
      expect(b.tool_choice).toEqual({ type: 'function', function: { name: 'respond' } });
      expect(b.response_format).toBeUndefined();
    }
    expect(bodies().some((b) => b.response_format)).toBe(false);
  });

  it('asked only in words, the same server answers in prose and the schema agents fail after their re-asks', async () => {
    const client = createChatCompletionsClient({ baseUrl: model.baseUrl });
    const prose: RunAgent = async (spec) => {
      const doc = new Y.Doc();
      initSessionMeta(doc, { id: newId('ses'), title: 'w', kind: 'chat', createdAt: Date.now() });
      const engine = new AgentEngine(
        { doc, model: client, clock: realClock, newId: (p) => newId(p), driverId: newId('tab') },
        { model: 'scripted-deepseek', structuredOutput: 'words', maxRetries: 0 },
      );
      return replyOf(doc, await engine.runTurn(turnInputFor(spec)), 'ses');
    };
    const { outcome } = await run('deep-research', DEEP_RESEARCH, prose);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toMatch(/did not match the schema/);
  });
});

describe('the headless command’s agent', () => {
  it('asks the way it is told (response_format, or a forced respond call) and returns the JSON answer', async () => {
    for (const [structuredOutput, modelId] of [
      ['json_schema', 'scripted-openai'],
      ['tool', 'scripted-deepseek'],
    ] as const) {
      const agent = chatCompletionsAgent({ baseUrl: model.baseUrl, model: modelId, structuredOutput });
      const { outcome, attempts } = await run('multi-review', MULTI_REVIEW, agent);
      expect(outcome.status, structuredOutput).toBe('completed');
      expect(Object.values(attempts)).toEqual([1, 1, 1]);
    }
  });
});
