// Coder subagents in git worktrees, through the UI: two children edit the same line of the same file, each in
// its own worktree; the Agents pane shows each one's diff apart from the other's, the workspace is untouched
// until the user merges one, and the other is discarded (its branch and worktree gone, the workspace unchanged).
import { readFile } from 'node:fs/promises';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect } from '@playwright/test';
import { git, initRepo } from '../../sync-server/test/runner/git-repo.ts';
import { test } from '../harness/fixtures.ts';
import {
  assistantMessages,
  openNewSession,
  pairRunner,
  sendPrompt,
  startTestRunner,
  type TestRunner,
  useScriptedModel,
} from '../harness/model.ts';

let model: ScriptedModel;
let runner: TestRunner | undefined;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'subagents') });
});
test.afterAll(async () => {
  await model.close();
});
test.afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

test('two coder children in worktrees: diffs kept apart, one merged, one discarded', async ({ page, syncServer }) => {
  // Edits run without asking here (an allow rule), so the test is about isolation, not approvals.
  runner = await startTestRunner(syncServer.url, {}, { rules: [{ effect: 'allow', tool: 'edit_file' }] });
  const ws = runner.workspace;
  await initRepo(ws, { 'greeting.txt': 'hello world\n' });

  await useScriptedModel(page, syncServer.url, model);
  await pairRunner(page, syncServer.url, runner);
  const id = await openNewSession(page, syncServer.url, 'coder', 'Lead with two coders');
  await page.goto(`${syncServer.url}/s/${id}?pane=agents`);
  await sendPrompt(page, 'spawn two coders in worktrees');
  await expect(assistantMessages(page).last()).toContainText('Both coders are working in their worktrees.');

  const rows = page.getByTestId('agents-mine').getByTestId('agent-row');
  const one = rows.filter({ hasText: 'coder one' });
  const two = rows.filter({ hasText: 'coder two' });
  for (const row of [one, two]) await expect(row.getByTestId('agent-status')).toHaveText('done', { timeout: 20_000 });
  await expect(one.getByTestId('worktree-diff')).toContainText('+hello from one');
  await expect(one.getByTestId('worktree-diff')).not.toContainText('hello from two');
  await expect(two.getByTestId('worktree-diff')).toContainText('+hello from two');
  await expect(two.getByTestId('worktree-diff')).not.toContainText('hello from one');
  // Neither child touched the user's workspace.
  expect(await readFile(`${ws}/greeting.txt`, 'utf8')).toBe('hello world\n');
  expect(git(ws, 'branch', '--list', 'boocode/*').split('\n')).toHaveLength(2);
  await page.screenshot({ path: 'e2e/screenshots/subagents-worktrees.png' });

  await one.getByTestId('worktree-merge').click();
  await expect(one.getByTestId('worktree-outcome')).toHaveAttribute('data-ok', 'true');
  expect(await readFile(`${ws}/greeting.txt`, 'utf8')).toBe('hello from one\n');
  await two.getByTestId('worktree-discard').click();
  await expect(two.getByTestId('worktree-outcome')).toHaveAttribute('data-ok', 'true');
  expect(await readFile(`${ws}/greeting.txt`, 'utf8')).toBe('hello from one\n');
  // Both worktrees and branches are gone; the merge left the change for the user to review, uncommitted.
  expect(git(ws, 'branch', '--list', 'boocode/*')).toBe('');
  expect(git(ws, 'worktree', 'list').split('\n')).toHaveLength(1);
  expect(git(ws, 'status', '--porcelain')).toBe('M greeting.txt');
});
