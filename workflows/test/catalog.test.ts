import { describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/node-catalog.ts';
import type { AgentRunSpec } from '../src/engine/agent-contract.ts';
import { MemoryRunStore } from '../src/engine/run-store.ts';
import { runWorkflow } from '../src/engine/run-workflow.ts';
import { loadQuickJS } from '../src/sandbox/quickjs-module.ts';
import { scriptedAgent } from './scripted-agent.ts';

const catalog = readCatalog();

function source(name: string): string {
  const found = catalog.get(name);
  if (!found) throw new Error(`no ${name} in the catalog`);
  return found;
}

describe('built-in catalog', () => {
  it('holds deep-research and multi-review with descriptions and whenToUse', () => {
    expect([...catalog.keys()].sort()).toEqual(['deep-research', 'multi-review']);
  });
});

describe('deep-research', () => {
  const answer = (spec: AgentRunSpec) => {
    const label = spec.options.label ?? '';
    if (label === 'plan') return JSON.stringify({ subquestions: ['What is A?', 'What is B?', 'What is C?'] });
    if (label === 'research 2') return null; // this researcher dies
    if (label.startsWith('research')) {
      const q = /Your question: (.*)/.exec(spec.prompt)?.[1];
      return JSON.stringify({ summary: `found about ${q}`, sources: ['https://example.org'], confidence: 'high' });
    }
    return `REPORT\n${spec.prompt}`;
  };

  it('plans, researches each sub-question in parallel, and synthesizes from the answers that came back', async () => {
    const agent = scriptedAgent(answer, {
      gate: 3,
      gateWhen: (spec) => spec.options.label?.startsWith('research') ?? false,
    });
    const outcome = await runWorkflow({
      source: source('deep-research'),
      args: { question: 'How do A, B and C relate?', breadth: 3 },
      runAgent: agent.runAgent,
      quickjs: await loadQuickJS(),
    });
    expect(outcome.status).toBe('completed');
    const result = outcome.result as { subquestions: string[]; findings: { subquestion: string }[]; report: string };
    expect(result.subquestions).toEqual(['What is A?', 'What is B?', 'What is C?']);
    expect(result.findings.map((f) => f.subquestion)).toEqual(['What is A?', 'What is C?']);
    expect(result.report).toContain('[1] What is A?\nfound about What is A?');
    expect(result.report).toContain('[2] What is C?');
    expect(agent.maxInFlight).toBe(3);
    // The three research agents start together: their order among themselves is the scheduler's.
    const labels = agent.specs.map((s) => s.options.label);
    expect([labels[0], labels[4]]).toEqual(['plan', 'synthesis']);
    expect(labels.slice(1, 4).sort()).toEqual(['research 1', 'research 2', 'research 3']);
  });

  it('a second run of the same question is served from the cache', async () => {
    const store = new MemoryRunStore();
    const quickjs = await loadQuickJS();
    const args = { question: 'How do A, B and C relate?', breadth: 3 };
    await runWorkflow({
      source: source('deep-research'),
      args,
      runAgent: scriptedAgent(answer).runAgent,
      store,
      quickjs,
    });
    const again = scriptedAgent(answer);
    const outcome = await runWorkflow({
      source: source('deep-research'),
      args,
      runAgent: again.runAgent,
      store,
      quickjs,
    });
    // Only the researcher that died runs again.
    expect(again.specs.map((s) => s.options.label)).toEqual(['research 2']);
    expect(outcome.status).toBe('completed');
  });

  it('refuses to run without a question', async () => {
    const outcome = await runWorkflow({
      source: source('deep-research'),
      args: {},
      runAgent: scriptedAgent(answer).runAgent,
      quickjs: await loadQuickJS(),
    });
    expect(outcome.error?.message).toContain('deep-research needs args.question');
  });
});

describe('multi-review', () => {
  const diff = '--- a/src/path.ts\n+++ b/src/path.ts\n@@ -1 +1 @@\n-resolve(root, p)\n+join(root, p)';

  it('runs the reviewers on the diff in parallel, then a judge merges their findings', async () => {
    let securityAsks = 0;
    const agent = scriptedAgent(
      (spec) => {
        const label = spec.options.label ?? '';
        if (label === 'review: security') {
          securityAsks++;
          if (securityAsks === 1) return 'I think there is a path traversal.'; // not JSON: re-asked
          return JSON.stringify({
            findings: [{ severity: 'blocker', file: 'src/path.ts', line: 1, issue: 'path traversal via join' }],
          });
        }
        if (label === 'review: tests')
          return JSON.stringify({ findings: [{ severity: 'minor', issue: 'no test for ../' }] });
        if (label.startsWith('review: ')) return JSON.stringify({ findings: [] });
        expect(label).toBe('judge');
        expect(spec.prompt).toContain('path traversal via join');
        expect(spec.prompt).toContain('no test for ../');
        return JSON.stringify({
          verdict: 'request-changes',
          summary: 'Path traversal must be fixed.',
          findings: [{ severity: 'blocker', file: 'src/path.ts', line: 1, issue: 'path traversal via join' }],
        });
      },
      { gate: 4, gateWhen: (spec) => spec.options.label !== 'judge' },
    );
    const outcome = await runWorkflow({
      source: source('multi-review'),
      args: { diff },
      runAgent: agent.runAgent,
      quickjs: await loadQuickJS(),
      limits: { maxConcurrentAgents: 4 },
    });
    expect(outcome.status).toBe('completed');
    expect(outcome.result).toEqual({
      verdict: 'request-changes',
      summary: 'Path traversal must be fixed.',
      findings: [{ severity: 'blocker', file: 'src/path.ts', line: 1, issue: 'path traversal via join' }],
      reviewers: ['correctness', 'security', 'tests', 'readability'],
      missing: [],
    });
    expect(securityAsks).toBe(2);
    expect(agent.maxInFlight).toBe(4);
    expect(agent.specs.every((s) => s.prompt.includes(diff))).toBe(true);
  });

  it('a reviewer that dies is reported missing and the judge still decides', async () => {
    const agent = scriptedAgent((spec) => {
      const label = spec.options.label ?? '';
      if (label === 'review: custom-a') return null;
      if (label.startsWith('review: ')) return '{"findings": []}';
      return '{"verdict": "approve", "summary": "fine", "findings": []}';
    });
    const outcome = await runWorkflow({
      source: source('multi-review'),
      args: {
        diff,
        reviewers: [
          { name: 'custom-a', focus: 'x' },
          { name: 'custom-b', focus: 'y' },
        ],
      },
      runAgent: agent.runAgent,
      quickjs: await loadQuickJS(),
    });
    expect(outcome.result).toMatchObject({ verdict: 'approve', reviewers: ['custom-b'], missing: ['custom-a'] });
  });
});
