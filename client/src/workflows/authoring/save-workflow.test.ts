import type { ApprovalRule } from '@boocode/shared/runner/approval-policy';
import type { RunnerClient } from '@boocode/shared/runner/runner-client-contract';
import { describe, expect, it } from 'vitest';
import { planSave, writeWorkflow } from './save-workflow.ts';

function fakeRunner(rules: ApprovalRule[]) {
  const calls: { name: string; input: unknown; approved: boolean }[] = [];
  const client: RunnerClient = {
    url: 'http://127.0.0.1:1',
    callTool: async (name, input, opts) => {
      calls.push({ name, input, approved: opts.approved === true });
      return { path: (input as { path: string }).path, bytesWritten: 1, created: true };
    },
    streamCommand: async () => {
      throw new Error('not used');
    },
    getRules: async () => rules,
    putRules: async () => {},
  };
  return { client, calls };
}

const SOURCE = `export const meta = { name: 'x', description: 'y' };\nreturn 1;\n`;

describe('saving a workflow into the project', () => {
  it('asks when no rule covers write_file, and sends approved only for the answered write', async () => {
    const { client, calls } = fakeRunner([]);
    const plan = await planSave(client, 'summarise', SOURCE);
    expect(plan).toEqual({
      kind: 'ask',
      path: '.boocode/workflows/summarise.js',
      reason: 'write_file changes the workspace and needs approval',
    });
    expect(calls).toEqual([]);
    await writeWorkflow(client, '.boocode/workflows/summarise.js', SOURCE, true);
    expect(calls).toEqual([
      { name: 'write_file', input: { path: '.boocode/workflows/summarise.js', content: SOURCE }, approved: true },
    ]);
  });

  it('writes without asking under an allow rule, and refuses under a deny rule', async () => {
    expect(await planSave(fakeRunner([{ effect: 'allow', tool: 'write_file' }]).client, 'a', SOURCE)).toMatchObject({
      kind: 'write',
    });
    expect(await planSave(fakeRunner([{ effect: 'deny', tool: '*' }]).client, 'a', SOURCE)).toEqual({
      kind: 'refused',
      message: 'Not saved: denied by rule deny *.',
    });
  });

  it('refuses a name that is not a plain file name before asking the runner', async () => {
    const { client } = fakeRunner([]);
    for (const name of ['../escape', '.hidden', 'a/b', '']) {
      expect((await planSave(client, name, SOURCE)).kind).toBe('refused');
    }
  });
});
