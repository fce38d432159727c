import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect } from '@playwright/test';
import { test } from '../harness/fixtures.ts';
import { openNewSession, useScriptedModel } from '../harness/model.ts';

let model: ScriptedModel;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'workflows') });
});
test.afterAll(async () => {
  await model.close();
});

test('a second tab watches a run another tab drives, and its Stop stops it', async ({ context, syncServer }) => {
  test.setTimeout(90_000);
  const driver = await context.newPage();
  await useScriptedModel(driver, syncServer.url, model);
  const id = await openNewSession(driver, syncServer.url, 'chat', 'Two tabs, one run');
  await driver.getByRole('tab', { name: 'Workflows' }).click();
  // multi-review with one reviewer whose answer streams slowly: the run stays busy long enough.
  await driver.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await driver
    .getByTestId('workflow-args')
    .fill(
      JSON.stringify({ diff: '+ Count slowly to ten', reviewers: [{ name: 'counter', focus: 'Count slowly to ten' }] }),
    );
  await driver.getByTestId('workflow-run').click();
  const driving = driver.getByTestId('workflow-run-card').first();
  await expect(driving).toHaveAttribute('data-status', 'running');
  await expect(driving).toContainText('driven here');

  const watcher = await context.newPage();
  await watcher.goto(`${syncServer.url}/s/${id}?pane=workflows`);
  const watched = watcher.getByTestId('workflow-run-card').first();
  await expect(watched).toHaveAttribute('data-status', 'running');
  await expect(watched).toContainText('driven by another tab');
  await expect(watcher.locator('[data-testid="workflow-agent"][data-label="review: counter"]')).toHaveAttribute(
    'data-status',
    'running',
  );

  await watched.getByTestId('workflow-stop').click();
  await expect(driving).toHaveAttribute('data-status', 'stopped', { timeout: 20_000 });
  await expect(watched).toHaveAttribute('data-status', 'stopped');
});

test('closing the driving tab mid-run: the watching tab takes the run over and finishes it', async ({
  context,
  syncServer,
}) => {
  test.setTimeout(90_000);
  model.reset();
  const driver = await context.newPage();
  await useScriptedModel(driver, syncServer.url, model);
  const id = await openNewSession(driver, syncServer.url, 'chat', 'Driver closes');
  await driver.getByRole('tab', { name: 'Workflows' }).click();
  await driver.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await driver
    .getByTestId('workflow-args')
    .fill(JSON.stringify({ diff: '+ x', reviewers: [{ name: 'counter', focus: 'Count slowly to ten' }] }));
  await driver.getByTestId('workflow-run').click();

  const watcher = await context.newPage();
  await watcher.goto(`${syncServer.url}/s/${id}?pane=workflows`);
  const watched = watcher.getByTestId('workflow-run-card').first();
  await expect(watched).toContainText('driven by another tab');
  await expect(watcher.locator('[data-testid="workflow-agent"][data-label="review: counter"]')).toHaveAttribute(
    'data-status',
    'running',
  );
  await driver.close();

  await expect(watched).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(watched.locator('[data-testid="workflow-agent"][data-status="done"]')).toHaveCount(2);
  await expect(watched.getByTestId('workflow-result')).toContainText('request-changes');
});
