// Background subagents through the UI: a lead session spawns children that run while the user keeps
// chatting; their results come back as messages exactly once; the Agents pane shows them live; and when the
// tab running them closes, another tab takes them over from the docs without running anything twice.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, type Page } from '@playwright/test';
import { test } from '../harness/fixtures.ts';
import {
  assistantMessages,
  openNewSession,
  pairRunner,
  sendPrompt,
  startTestRunner,
  type TestRunner,
  turnOnSubagents,
  useScriptedModel,
} from '../harness/model.ts';

let model: ScriptedModel;
test.beforeAll(async () => {
  const names = ['subagents', 'subagents-coder', 'chat-e2e'];
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => names.includes(s.name)) });
});
test.afterAll(async () => {
  await model.close();
});
let runner: TestRunner | undefined;
test.afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

/** The messages that carry a child's result (shown as result cards in the lead's chat). */
function resultMessages(page: Page) {
  return page.locator('[data-testid="message"][data-role="user"]').filter({ has: page.getByTestId('subagent-result') });
}

/** Records every status each Agents-pane row shows, in order (attribute changes seen by a MutationObserver). */
async function recordRowStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, string[]> = {};
    (window as unknown as { agentStatuses: typeof seen }).agentStatuses = seen;
    const note = (el: Element) => {
      const label = el.getAttribute('data-label');
      const status = el.getAttribute('data-status');
      if (!label || !status) return;
      const list = seen[label] ?? [];
      seen[label] = list;
      if (list.at(-1) !== status) list.push(status);
    };
    const scan = () => {
      document.querySelectorAll('[data-testid="agents-mine"] [data-testid="agent-row"]').forEach(note);
    };
    new MutationObserver(scan).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    scan();
  });
}

test('the lead spawns three children, keeps chatting, and gets each result as a message once', async ({
  page,
  syncServer,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  const id = await openNewSession(page, syncServer.url, 'chat', 'Lead with helpers');
  await turnOnSubagents(page);
  // With "Continue on results" off, a finished helper does not start a lead turn: its result waits for
  // the user's next message (on, the idle lead is woken: agent-host.spec.ts).
  const wake = page.getByTestId('wake-on-results-toggle');
  await expect(wake).toBeChecked();
  await wake.uncheck();
  await page.goto(`${syncServer.url}/s/${id}?pane=agents`);
  await expect(page.getByTestId('wake-on-results-toggle')).not.toBeChecked();
  await expect(page.getByTestId('agents-empty')).toBeVisible();
  await recordRowStatuses(page);

  await sendPrompt(page, 'spawn three helpers');
  await expect(assistantMessages(page).last()).toContainText('Three helpers are working; I will keep going.');
  const rows = page.getByTestId('agents-mine').getByTestId('agent-row');
  await expect(rows).toHaveCount(3);
  // The user keeps chatting while they run.
  await sendPrompt(page, 'what else?');
  await expect(assistantMessages(page).last()).toContainText('Still chatting while the helpers work.');

  for (const label of ['alpha', 'beta', 'gamma'])
    await expect(rows.filter({ hasText: label }).getByTestId('agent-status')).toHaveText('done', { timeout: 20_000 });
  await expect(rows.first().getByTestId('agent-tokens')).not.toHaveText(' · 0 tokens');

  // Results that were not in yet at "what else?" arrive at the next turn boundary; each exactly once.
  await sendPrompt(page, 'any news?');
  await expect(assistantMessages(page).last()).toContainText('Here is what the helpers found.');
  await expect(resultMessages(page)).toHaveCount(3);
  await expect(resultMessages(page).filter({ hasText: 'alpha found the bug in parser.ts' })).toHaveCount(1);
  await expect(resultMessages(page).filter({ hasText: 'beta wrote the missing tests' })).toHaveCount(1);
  await expect(resultMessages(page).filter({ hasText: 'gamma updated the docs' })).toHaveCount(1);

  const statuses = await page.evaluate(
    () => (window as unknown as { agentStatuses: Record<string, string[]> }).agentStatuses,
  );
  // Seen in order (a fast child may pass "queued" between two frames, never out of order).
  for (const label of ['alpha', 'beta', 'gamma']) {
    const seen = statuses[label] ?? [];
    expect(seen.at(-1)).toBe('done');
    expect(seen.filter((s) => s !== 'queued')).toEqual(['running', 'done']);
  }

  await page.screenshot({ path: 'e2e/screenshots/subagents-lead.png' });
  // A row opens the child's session, which says whose agent it is.
  await rows.filter({ hasText: 'alpha' }).getByTestId('agent-open').click();
  await expect(page.getByTestId('parent-link')).toContainText('Lead with helpers');
  await expect(assistantMessages(page).last()).toContainText('alpha found the bug in parser.ts');
});

test('closing the tab that runs a child: another tab finishes it, and nothing runs twice', async ({
  context,
  syncServer,
}) => {
  const driver = await context.newPage();
  await useScriptedModel(driver, syncServer.url, model);
  const id = await openNewSession(driver, syncServer.url, 'chat', 'Lead whose tab closes');
  await turnOnSubagents(driver);
  const watcher = await context.newPage();
  await watcher.goto(`${syncServer.url}/`);

  await driver.goto(`${syncServer.url}/s/${id}?pane=agents`);
  await sendPrompt(driver, 'spawn a slow helper');
  await expect(assistantMessages(driver).last()).toContainText('The slow helper is working.');
  const row = driver.getByTestId('agents-mine').getByTestId('agent-row');
  await expect(row.getByTestId('agent-status')).toHaveText('running');
  const childId = (await row.getByTestId('agent-open').getAttribute('href'))?.split('/s/')[1]?.split('?')[0];
  expect(childId).toMatch(/^ses_/);
  // Model calls of the child: its last user message is its prompt (the lead's calls end with the lead's words).
  const slowCalls = () => model.chatCalls().filter((c) => c.lastUser === 'subtask slow').length;
  await expect.poll(slowCalls).toBe(1);
  await driver.close();

  // The other tab adopts the child and resumes its half-streamed answer.
  await watcher.goto(`${syncServer.url}/s/${id}?pane=agents`);
  const adopted = watcher.getByTestId('agents-mine').getByTestId('agent-row');
  await expect(adopted.getByTestId('agent-status')).toHaveText('done', { timeout: 30_000 });
  // One prompt for the child and one re-request of its interrupted answer: the child was never prompted twice.
  expect(slowCalls()).toBe(2);

  await watcher.goto(`${syncServer.url}/s/${childId}`);
  await expect(watcher.locator('[data-testid="message"][data-role="user"]')).toHaveCount(1);
  const answers = assistantMessages(watcher);
  await expect(answers.last()).toContainText('would take many seconds to finish its answer.');
  const text = (await answers.last().getByTestId('message-text').textContent()) ?? '';
  expect(text.split('This child streams very slowly').length - 1).toBe(1);

  // The lead learns the result at its next turn.
  await watcher.goto(`${syncServer.url}/s/${id}`);
  await sendPrompt(watcher, 'any news?');
  await expect(resultMessages(watcher)).toHaveCount(1);
  await expect(resultMessages(watcher).getByTestId('subagent-result')).toHaveAttribute('data-status', 'done');
  await expect(resultMessages(watcher)).toContainText('Subagent slow done');
  await expect(resultMessages(watcher)).toContainText('would take many seconds to finish its answer.');
});

test('a coder child waits for approval in its own session; approving there finishes it', async ({
  page,
  syncServer,
}) => {
  runner = await startTestRunner(syncServer.url);
  const note = join(runner.workspace, 'note.txt');
  await useScriptedModel(page, syncServer.url, model);
  await pairRunner(page, syncServer.url, runner);
  const id = await openNewSession(page, syncServer.url, 'coder', 'Lead coder');
  await page.goto(`${syncServer.url}/s/${id}?pane=agents`);
  await sendPrompt(page, 'spawn a note writer');
  await expect(assistantMessages(page).last()).toContainText('The writer is on it.');
  const row = page.getByTestId('agents-mine').getByTestId('agent-row');
  await expect(row.getByTestId('agent-status')).toHaveText('waiting-approval');
  expect(existsSync(note)).toBe(false);
  // The lead's own chat says a helper waits, and links to where it is answered.
  const notice = page.getByTestId('child-approvals');
  await expect(notice).toContainText('waits for your approval');

  await notice.getByTestId('child-approval-open').click();
  await expect(page).toHaveURL(new RegExp(`/s/(?!${id})`));
  const card = page.getByTestId('tool-card').filter({ hasText: 'write_file' });
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card.getByTestId('tool-status')).toHaveText('done');
  await page.getByTestId('parent-link').click();
  await expect(page.getByTestId('agents-mine').getByTestId('agent-status')).toHaveText('done');
  await expect(page.getByTestId('child-approvals')).toHaveCount(0);
  expect(await readFile(note, 'utf8')).toBe('written by the agent\n');
});

test('Cancel all in the Agents pane stops a running child, and the lead is told', async ({ page, syncServer }) => {
  await useScriptedModel(page, syncServer.url, model);
  const id = await openNewSession(page, syncServer.url, 'chat', 'Lead that cancels');
  await turnOnSubagents(page);
  await page.goto(`${syncServer.url}/s/${id}?pane=agents`);
  await sendPrompt(page, 'spawn a slow helper');
  await expect(assistantMessages(page).last()).toContainText('The slow helper is working.');
  const row = page.getByTestId('agents-mine').getByTestId('agent-row');
  await expect(row.getByTestId('agent-status')).toHaveText('running');
  await page.getByTestId('agents-cancel-all').click();
  await expect(row.getByTestId('agent-status')).toHaveText('cancelled');
  await expect(page.getByTestId('agents-cancel-all')).toHaveCount(0);
  // The lead is told at its next turn, and the child's answer stopped where it was.
  await sendPrompt(page, 'any news?');
  await expect(resultMessages(page).getByTestId('subagent-result')).toHaveAttribute('data-status', 'cancelled');
  await row.getByTestId('agent-open').click();
  await expect(assistantMessages(page).last()).not.toContainText('to finish its answer.');
});
