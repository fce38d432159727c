// The agent host as users run it (`npm run host`, a real process): tabs hand turns to it, an approval it
// waits on is answered from another browser profile, and work it drives goes on with every tab closed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HostProcess, startHostProcess } from '@boocode/testkit/host-process';
import { loadScenarios } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, type Page } from '@playwright/test';
import { openApp, test } from '../harness/fixtures.ts';
import { assistantMessages, openNewSession, sendPrompt, turnOnSubagents, useScriptedModel } from '../harness/model.ts';

let model: ScriptedModel;
let host: HostProcess | undefined;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarios('chat-e2e', 'subagents', 'workflows') });
});
test.afterAll(async () => {
  await model.close();
});
test.afterEach(async () => {
  await host?.dispose();
  host = undefined;
});

async function waitForHost(page: Page) {
  await expect(page.getByTestId('host-badge')).toBeVisible({ timeout: 15_000 });
}

test('an approval the host waits on is answered from a second browser profile', async ({
  page,
  browser,
  syncServer,
}) => {
  test.setTimeout(120_000);
  host = await startHostProcess(syncServer.url, syncServer.token);
  // Connected to the sync server (the token from the URL), as `npm start` hands the app out.
  await openApp(page, syncServer);
  await useScriptedModel(page, syncServer.url, model);
  const id = await openNewSession(page, syncServer.url, 'coder', 'Host asks first');
  await waitForHost(page);
  await sendPrompt(page, 'please write a note');
  await expect(page.getByTestId('follow-note')).toContainText('agent host');
  await expect(page.getByTestId('approval-card')).toBeVisible({ timeout: 20_000 });

  // Another device (its own browser profile) answers; the host, not a tab, runs the write.
  const other = await browser.newContext();
  try {
    const second = await other.newPage();
    await openApp(second, syncServer);
    await second.goto(`${syncServer.url}/s/${id}`);
    const card = second.getByTestId('approval-card');
    await expect(card).toBeVisible({ timeout: 20_000 });
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect(assistantMessages(second).last()).toContainText('The write tool said', { timeout: 20_000 });
  } finally {
    await other.close();
  }
  await expect(assistantMessages(page).last()).toContainText('The write tool said');
  expect(await readFile(join(host.workspace, 'note.txt'), 'utf8')).toBe('written by the agent\n');
  await expect(page.getByTestId('approval-card')).toHaveCount(0);
});

test('with every tab closed, the host finishes a background subagent and the lead goes on by itself', async ({
  context,
  syncServer,
}) => {
  test.setTimeout(150_000);
  host = await startHostProcess(syncServer.url, syncServer.token);
  const page = await context.newPage();
  await openApp(page, syncServer);
  await useScriptedModel(page, syncServer.url, model);
  const id = await openNewSession(page, syncServer.url, 'chat', 'Lead on the host');
  await turnOnSubagents(page);
  await waitForHost(page);
  model.reset();
  await sendPrompt(page, 'spawn a slow helper');
  await expect(assistantMessages(page).last()).toContainText('The slow helper is working.', { timeout: 30_000 });
  // The helper has started on the host; every tab goes away.
  await expect.poll(() => model.chatCalls().filter((c) => c.lastUser === 'subtask slow').length).toBe(1);
  await page.close();

  // Nobody watches: the helper ends and wakes its lead, whose new turn the host drives too.
  await expect
    .poll(() => model.chatCalls().filter((c) => c.lastUser.includes('[subagent slow done]')).length, {
      timeout: 90_000,
    })
    .toBe(1);
  const later = await context.newPage();
  await later.goto(`${syncServer.url}/s/${id}`);
  await expect(assistantMessages(later).last()).toContainText('Woken by the slow helper', { timeout: 30_000 });
  // Each model call was made once: the spawn, the child's task, the woken lead.
  expect(model.chatCalls().filter((c) => c.lastUser === 'subtask slow')).toHaveLength(1);
  expect(model.chatCalls().filter((c) => c.lastUser === 'spawn a slow helper')).toHaveLength(2);
});

test('with every tab closed, the host finishes a workflow run the tab started', async ({ context, syncServer }) => {
  test.setTimeout(150_000);
  host = await startHostProcess(syncServer.url, syncServer.token);
  const page = await context.newPage();
  await openApp(page, syncServer);
  await useScriptedModel(page, syncServer.url, model);
  const id = await openNewSession(page, syncServer.url, 'chat', 'Run on the host');
  await waitForHost(page);
  model.reset();
  await page.getByRole('tab', { name: 'Workflows' }).click();
  // multi-review with one reviewer whose answer streams slowly: the run is busy when the tab goes.
  await page.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await page
    .getByTestId('workflow-args')
    .fill(JSON.stringify({ diff: '+ x', reviewers: [{ name: 'counter', focus: 'Count slowly to ten' }] }));
  await page.getByTestId('workflow-run').click();
  await expect(page.locator('[data-testid="workflow-agent"][data-label="review: counter"]')).toHaveAttribute(
    'data-status',
    'running',
    { timeout: 30_000 },
  );
  await page.close();

  // Nobody watches; later, a tab finds the run finished, every agent done, the verdict in.
  const later = await context.newPage();
  await later.goto(`${syncServer.url}/s/${id}?pane=workflows`);
  const run = later.getByTestId('workflow-run-card').first();
  await expect(run).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
  await expect(run.locator('[data-testid="workflow-agent"][data-status="done"]')).toHaveCount(2);
  await expect(run.getByTestId('workflow-result')).toContainText('request-changes');
  // The reviewer's answer was asked for at most twice (once more if its driver changed mid-answer).
  const reviews = model.chatCalls().filter((c) => c.lastUser.includes('Count slowly to ten')).length;
  expect(reviews).toBeGreaterThanOrEqual(1);
  expect(reviews).toBeLessThanOrEqual(2);
});
