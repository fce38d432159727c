import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, type Page } from '@playwright/test';
import { test } from '../harness/fixtures.ts';
import { openNewSession, useScriptedModel } from '../harness/model.ts';

const DIFF = [
  'diff --git a/src/add.js b/src/add.js',
  '--- a/src/add.js',
  '+++ b/src/add.js',
  '@@ -1,3 +1,3 @@',
  ' export function add(a, b) {',
  '-  return a - b;',
  '+  return a + b;',
  ' }',
].join('\n');

let model: ScriptedModel;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'workflows') });
});
test.afterAll(async () => {
  await model.close();
});

/** Model requests whose last user message contains `text`. */
function requestsFor(text: string): number {
  return model.chatCalls().filter((c) => c.lastUser.includes(text)).length;
}

async function openWorkflowsPane(page: Page, appUrl: string, title: string): Promise<string> {
  await useScriptedModel(page, appUrl, model);
  const id = await openNewSession(page, appUrl, 'chat', title);
  await page.getByRole('tab', { name: 'Workflows' }).click();
  await expect(page.getByTestId('workflows-pane')).toBeVisible();
  return id;
}

/** Picks multi-review, gives it the diff, runs it; returns the run's card. */
async function runMultiReview(page: Page) {
  await page.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await page.getByTestId('workflow-args').fill(JSON.stringify({ diff: DIFF }));
  await page.getByTestId('workflow-run').click();
  const card = page.getByTestId('workflow-run-card').first();
  await expect(card).toHaveAttribute('data-status', 'running');
  return card;
}

function agent(page: Page, label: string) {
  return page.locator(`[data-testid="workflow-agent"][data-label="${label}"]`);
}

test('multi-review runs from the UI, survives a reload mid-run, and finishes with every agent done', async ({
  page,
  syncServer,
}, testInfo) => {
  test.setTimeout(120_000);
  model.reset();
  await openWorkflowsPane(page, syncServer.url, 'Review with a workflow');

  const pick = page.locator('[data-testid="workflow-pick"][data-name="multi-review"]');
  await expect(pick).toContainText('judge merges their findings');
  await expect(pick).toContainText('When: Before merging');
  await pick.click();
  await page.getByTestId('workflow-args').fill(JSON.stringify({ diff: DIFF }));
  await page.getByTestId('workflow-run').click();

  const card = page.getByTestId('workflow-run-card').first();
  await expect(card).toHaveAttribute('data-status', 'running');
  // Mid-run: the fast reviewer is done, the slow one is still streaming.
  await expect(agent(page, 'review: correctness')).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  await expect(agent(page, 'review: security')).toHaveAttribute('data-status', 'running');
  await expect(card.getByTestId('workflow-phase').first()).toContainText('Review');
  await expect(agent(page, 'review: security').locator('.wf-agent-activity')).toContainText('findings');
  await page.locator('.side-pane').screenshot({ path: testInfo.outputPath('workflows-pane-mid-run.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('.side-pane').screenshot({ path: testInfo.outputPath('workflows-pane-mid-run-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  expect(requestsFor('reviewing a diff for correctness')).toBe(1);

  // Reload onto another pane: the run resumes whichever pane the session view shows.
  await page.goto(page.url().replace('pane=workflows', 'pane=traces'));
  await expect.poll(() => requestsFor('You are the judge'), { timeout: 60_000 }).toBe(1);
  await page.getByRole('tab', { name: 'Workflows' }).click();
  await expect(page.getByTestId('workflows-pane')).toBeVisible();
  const after = page.getByTestId('workflow-run-card').first();
  await expect(after).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(after.getByTestId('workflow-agent')).toHaveCount(5);
  await expect(after.locator('[data-testid="workflow-agent"][data-status="done"]')).toHaveCount(5);
  await expect(after.getByTestId('workflow-result')).toContainText('request-changes');
  await page.locator('.side-pane').screenshot({ path: testInfo.outputPath('workflows-pane-done.png') });

  // The reviewer that had finished before the reload came from the cache: the model saw it once.
  expect(requestsFor('reviewing a diff for correctness')).toBe(1);
  expect(requestsFor('You are the judge')).toBe(1);

  // The parent session's trace lists every agent as a workflow-agent span, closed when it ended.
  await page.getByRole('tab', { name: 'Traces' }).click();
  const agentRows = page.locator('[data-testid="span-row"][data-kind="workflow-agent"]');
  await expect(agentRows).toHaveCount(5);
  await expect(page.locator('[data-testid="span-row"][data-kind="workflow-agent"].status-ok')).toHaveCount(5);
  await page.getByRole('tab', { name: 'Workflows' }).click();

  // Each agent links to its child session, whose model call the trace viewer lists.
  await agent(page, 'judge').getByRole('link', { name: 'judge' }).click();
  await expect(page).toHaveURL(/\/s\/ses_/);
  await expect(page.getByTestId('session-title')).toContainText('multi-review · judge');
  await expect(page.getByTestId('span-row').first()).toBeVisible();

  // The session list shows the parent with its agents counted; the agents' own sessions are hidden
  // until asked for, so a run does not bury the user's sessions.
  await page.goto(`${syncServer.url}/`);
  const parentRow = page.getByTestId('session-row').filter({ hasText: 'Review with a workflow' });
  await expect(parentRow.getByTestId('child-count')).toHaveText('5 agents');
  await expect(page.getByTestId('session-row').filter({ hasText: 'multi-review ·' })).toHaveCount(0);
  await page.getByTestId('show-agent-sessions').check();
  await expect(page.getByTestId('session-row').filter({ hasText: 'multi-review ·' })).toHaveCount(5);
});

test('args must be JSON before a run can start', async ({ page, syncServer }) => {
  test.setTimeout(90_000);
  await openWorkflowsPane(page, syncServer.url, 'Bad args');
  await page.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await page.getByTestId('workflow-args').fill('{ diff: ');
  await expect(page.getByTestId('workflow-args-error')).toContainText('Args must be JSON');
  await expect(page.getByTestId('workflow-run')).toBeDisabled();
});

test('stopping one agent makes its agent() give null; the run goes on without it', async ({ page, syncServer }) => {
  test.setTimeout(120_000);
  model.reset();
  await openWorkflowsPane(page, syncServer.url, 'Stop one reviewer');
  const card = await runMultiReview(page);
  const security = agent(page, 'review: security');
  await expect(security).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  await security.getByTestId('workflow-agent-stop').click();
  await expect(security).toHaveAttribute('data-status', 'stopped');
  await expect(card).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(card.getByTestId('workflow-result')).toContainText('"missing": [\n    "security"');
});

test('Stop ends the run; Resume finishes it and reuses the agents that had finished', async ({ page, syncServer }) => {
  test.setTimeout(120_000);
  model.reset();
  await openWorkflowsPane(page, syncServer.url, 'Stop and resume');
  const card = await runMultiReview(page);
  await expect(agent(page, 'review: correctness')).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  await card.getByTestId('workflow-stop').click();
  await expect(card).toHaveAttribute('data-status', 'stopped', { timeout: 20_000 });
  await expect(agent(page, 'judge')).toHaveCount(0);

  await card.getByTestId('workflow-resume').click();
  await expect(card).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(card.locator('[data-testid="workflow-agent"][data-status="done"]')).toHaveCount(5);
  await expect(agent(page, 'review: correctness')).toContainText('cached');
  expect(requestsFor('reviewing a diff for correctness')).toBe(1);
});

test('run options: one agent at a time and a token budget; the run stops at the budget with the reason in words', async ({
  page,
  syncServer,
}) => {
  test.setTimeout(90_000);
  model.reset();
  await openWorkflowsPane(page, syncServer.url, 'Review on a budget');
  await page.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await page.getByTestId('workflow-args').fill(JSON.stringify({ diff: DIFF }));
  await page.getByTestId('workflow-options').locator('summary').click();
  await page.getByTestId('workflow-concurrency').fill('0');
  await expect(page.getByTestId('workflow-options-error')).toContainText('from 1 to 16');
  await expect(page.getByTestId('workflow-run')).toBeDisabled();
  await page.getByTestId('workflow-concurrency').fill('1');
  await page.getByTestId('workflow-budget').fill('100');
  await page.locator('.wf-run-form').screenshot({ path: 'e2e/screenshots/workflows-run-options.png' });
  await page.getByTestId('workflow-run').click();

  const card = page.getByTestId('workflow-run-card').first();
  await expect(card.getByTestId('workflow-budget-total')).toContainText('100');
  await expect(card).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  await expect(card).toContainText('token budget is spent');
  // One at a time: no two reviewers' model calls overlapped, so the budget stopped the second one from starting.
  expect(requestsFor('reviewing a diff for')).toBe(1);
});
