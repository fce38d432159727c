import { AgentEngine } from '@boocode/shared/agent/agent-engine';
import { realClock } from '@boocode/shared/agent/engine-deps';
import { initSessionMeta, listMessages } from '@boocode/shared/doc/session';
import { newId } from '@boocode/shared/ids';
import { createChatCompletionsClient } from '@boocode/shared/model/chat-completions-client';
import type { AgentEntry, WorkflowEvent } from '@boocode/shared/workflow/run-record';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readCatalog } from '../src/catalog/node-catalog.ts';
import type { AgentRunSpec, RunAgent } from '../src/engine/agent-contract.ts';
import { replyOf, turnInputFor } from '../src/engine/agent-turn.ts';
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { loadQuickJS } from '../src/sandbox/quickjs-module.ts';

const QUESTION = 'Why do lithium-ion cells lose capacity?';
const SUBQUESTIONS = [
  'How does SEI growth consume lithium?',
  'How does lithium plating happen during fast charging?',
  'How does calendar ageing differ from cycle ageing?',
];
const REPORT =
  'Lithium-ion cells lose capacity mainly because the SEI layer traps lithium [1], and it grows even at rest, fastest when full and warm [2]. Unanswered: how much fast charging adds through lithium plating.';

let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel({
    scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'deep-research'),
  });
});
afterAll(() => model.close());

interface AgentSession {
  id: string;
  label: string;
  doc: Y.Doc;
}

/** runAgent over real AgentEngine turns; `sessions` are the agents' sessions, `maxInFlight` how many ran at once. */
function engineAgents(scripted: ScriptedModel) {
  const client = createChatCompletionsClient({ baseUrl: scripted.baseUrl, apiKey: 'test-key' });
  const sessions = new Map<string, AgentSession>();
  const stats = { inFlight: 0, maxInFlight: 0 };
  const runAgent: RunAgent = async (spec, signal) => {
    const session = sessions.get(spec.agentId) ?? newAgentSession(spec);
    sessions.set(spec.agentId, session);
    const engine = new AgentEngine(
      { doc: session.doc, model: client, clock: realClock, newId: (p) => newId(p), driverId: newId('tab') },
      { model: 'scripted-deepseek', systemPrompt: 'You are a helpful assistant. Answer in Markdown.', maxRetries: 0 },
    );
    const stop = () => engine.cancel();
    signal.addEventListener('abort', stop, { once: true });
    stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
    try {
      return replyOf(session.doc, await engine.runTurn(turnInputFor(spec)), session.id);
    } finally {
      stats.inFlight--;
      signal.removeEventListener('abort', stop);
    }
  };
  return { runAgent, sessions, stats };
}

function newAgentSession(spec: AgentRunSpec): AgentSession {
  const id = newId('ses');
  const label = spec.options.label ?? spec.agentId;
  const doc = new Y.Doc();
  initSessionMeta(doc, { id, title: `deep-research · ${label}`, kind: 'chat', createdAt: Date.now() });
  return { id, label, doc };
}

/** What the model was asked, in arrival order: the last user message of each chat completion. */
function askedOfModel(): { at: number; prompt: string }[] {
  return model.chatCalls().map((c) => ({ at: c.at, prompt: c.lastUser }));
}

const kindOf = (prompt: string) =>
  prompt.startsWith('Break this research question')
    ? 'plan'
    : prompt.startsWith('Research this question')
      ? 'research'
      : prompt.startsWith('Write a clear, well-structured answer')
        ? 'synthesis'
        : 'other';

describe('deep-research through the agent engine and the scripted model', () => {
  it('plans, researches the sub-questions in parallel, and synthesizes a report from the findings that came back', async () => {
    const source = readCatalog().get('deep-research');
    if (!source) throw new Error('no deep-research in the catalog');
    const agents = engineAgents(model);
    const events: { at: number; event: WorkflowEvent }[] = [];
    const outcome = await runWorkflow({
      source,
      args: { question: QUESTION, breadth: 3 },
      runAgent: agents.runAgent,
      quickjs: await loadQuickJS(),
      onEvent: (event) => events.push({ at: Date.now(), event }),
    });

    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('completed');
    const result = outcome.result as {
      subquestions: string[];
      findings: { subquestion: string; summary: string; confidence?: string }[];
      report: string;
    };
    expect(result.subquestions).toEqual(SUBQUESTIONS);
    // The provider refused researcher 2 (a 400 is not retried): the synthesis works from 1 and 3.
    expect(result.findings.map((f) => f.subquestion)).toEqual([SUBQUESTIONS[0], SUBQUESTIONS[2]]);
    expect(result.findings[0]?.summary).toBe('The SEI layer keeps growing and traps cyclable lithium in it.');
    // Researcher 3 answered in prose first; the schema re-ask got its JSON.
    expect(result.findings[1]).toMatchObject({
      confidence: 'medium',
      summary: expect.stringMatching(/^Calendar ageing/),
    });
    expect(result.report).toBe(REPORT);
    expect(outcome.tokens).toBeGreaterThan(0);

    // The flow, as the model saw it: one plan, then the research asks, then one synthesis.
    const asked = askedOfModel();
    expect(asked.map((a) => kindOf(a.prompt))).toEqual([
      'plan',
      'research',
      'research',
      'research',
      'research', // researcher 3's re-ask
      'synthesis',
    ]);
    // The synthesis was given exactly the findings the research agents returned, numbered.
    const synthesisPrompt = asked.at(-1)?.prompt ?? '';
    expect(synthesisPrompt).toContain(
      `[1] ${SUBQUESTIONS[0]}\nThe SEI layer keeps growing and traps cyclable lithium in it.\nSources: https://example.org/sei`,
    );
    expect(synthesisPrompt).toContain(`[2] ${SUBQUESTIONS[2]}\nCalendar ageing grows the SEI`);
    expect(synthesisPrompt).not.toContain(SUBQUESTIONS[1]);

    // Parallel: the three researchers ran at once, and researcher 3's first ask reached the model
    // while researcher 1 was still streaming its answer.
    expect(agents.stats.maxInFlight).toBe(3);
    const ends = agentEnds(events);
    const firstAsk = (sub: string) => asked.find((a) => a.prompt.includes(`Your question: ${sub}`))?.at ?? Infinity;
    expect(firstAsk(SUBQUESTIONS[2] ?? '')).toBeLessThan(ends.get('research 1')?.at ?? 0);
    expect(firstAsk(SUBQUESTIONS[1] ?? '')).toBeLessThan(ends.get('research 1')?.at ?? 0);

    // Each agent was a session of its own, driven by the engine; the re-ask was a second turn in one.
    const byLabel = new Map([...agents.sessions.values()].map((s) => [s.label, s]));
    expect([...byLabel.keys()].sort()).toEqual(['plan', 'research 1', 'research 2', 'research 3', 'synthesis']);
    const userTurns = (label: string) =>
      listMessages(byLabel.get(label)?.doc ?? new Y.Doc()).filter((m) => m.role === 'user').length;
    expect(userTurns('research 3')).toBe(2);
    expect(userTurns('research 1')).toBe(1);
    expect(listMessages(byLabel.get('synthesis')?.doc ?? new Y.Doc()).at(-1)).toMatchObject({
      role: 'assistant',
      text: REPORT,
    });

    // The run's own record: phases in order, who ended how.
    const phases = events.flatMap(({ event }) => (event.type === 'phase' ? [event.title] : []));
    expect(phases).toEqual(['Plan', 'Research', 'Synthesize']);
    expect(Object.fromEntries([...ends].map(([label, e]) => [label, [e.agent.status, e.agent.attempts]]))).toEqual({
      plan: ['done', 1],
      'research 1': ['done', 1],
      'research 2': ['failed', 1],
      'research 3': ['done', 2],
      synthesis: ['done', 1],
    });
    expect(ends.get('research 2')?.agent.error).toMatch(/too long for the model/);
    const planEnd = ends.get('plan')?.at ?? Infinity;
    const synthesisStart = events.find(
      ({ event }) => event.type === 'agent-start' && event.agent.label === 'synthesis',
    )?.at;
    for (const label of ['research 1', 'research 2', 'research 3']) {
      const start = events.find(({ event }) => event.type === 'agent-start' && event.agent.label === label)?.at;
      expect(start).toBeGreaterThanOrEqual(planEnd);
      expect(ends.get(label)?.at).toBeLessThanOrEqual(synthesisStart ?? 0);
    }
  });
});

/** Each agent's end event (with when it arrived), by label. */
function agentEnds(events: { at: number; event: WorkflowEvent }[]): Map<string, { at: number; agent: AgentEntry }> {
  const ends = new Map<string, { at: number; agent: AgentEntry }>();
  for (const { at, event } of events)
    if (event.type === 'agent-end') ends.set(event.agent.label ?? event.agent.id, { at, agent: event.agent });
  return ends;
}
