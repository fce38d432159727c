// The spec-hash cache is a synced doc: a run finished on one device lets another device (its own
// browser context, sharing only the sync server) run the same workflow again without asking the
// model anything: every agent comes from the cache at zero tokens.
import { fileURLToPath } from 'node:url';
import { getWorkflowRun } from '@boocode/shared/doc/workflow-run';
import { expect, type Page } from '@playwright/test';
import { openApp, test } from '../harness/fixtures.ts';
import { openNewSession } from '../harness/model.ts';
import { editServerDoc } from '../harness/server-docs.ts';
import type { TestServer } from '../harness/sync-server.ts';
import { loadScenarioDir } from '../scripted-model/scenario.ts';
import { type ScriptedModel, startScriptedModel } from '../scripted-model/server.ts';

const SCENARIOS = fileURLToPath(new URL('../scripted-model/scenarios', import.meta.url));
const ARGS = JSON.stringify({ diff: '+ const total = a + b;' });

let model: ScriptedModel;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS).filter((s) => s.name === 'workflows') });
});
test.afterAll(async () => {
  await model.close();
});

/** Chat completions the scripted model answered (the model list the UI fetches is not a call). */
function modelCalls(): number {
  return model.requests().filter((r) => r.path.endsWith('/chat/completions')).length;
}

/** The run's status as the sync server has it (what another device will get). */
async function serverRunStatus(server: TestServer, runId: string): Promise<unknown> {
  let status: unknown;
  // Read-only: the edit callback only looks, so the wait for "stored" after it may time out.
  await editServerDoc(server, `workflow-run:${runId}`, (doc) => {
    status = getWorkflowRun(doc)?.status;
  }).catch(() => {});
  return status;
}

/** Settings → Model → scripted, re-selecting if the stored settings arrive after the first pick. */
async function useScriptedModelOn(page: Page, appUrl: string) {
  await page.goto(`${appUrl}/settings`);
  await expect(async () => {
    await page.getByTestId('model-provider').selectOption('scripted');
    await expect(page.getByTestId('model-base-url')).toBeEnabled({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await page.getByTestId('model-base-url').fill(model.baseUrl);
  await page.getByTestId('model-name').fill('scripted-deepseek');
  await page.getByTestId('model-save').click();
  await expect(page.getByText('Saved. The next turn uses it.')).toBeVisible();
}

async function runMultiReview(page: Page) {
  await page.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await page.getByTestId('workflow-args').fill(ARGS);
  await page.getByTestId('workflow-run').click();
}

test('a re-run on another device after sync takes every finished agent from the cache', async ({
  browser,
  syncServer,
}) => {
  test.setTimeout(120_000);
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  for (const page of [a, b]) {
    await useScriptedModelOn(page, syncServer.url);
    await openApp(page, syncServer);
  }
  const id = await openNewSession(a, syncServer.url, 'chat', 'Cache across devices');
  await a.getByRole('tab', { name: 'Workflows' }).click();
  await runMultiReview(a);
  const first = a.getByTestId('workflow-run-card').first();
  await expect(first).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(a.getByTestId('session-sync-status')).toHaveAttribute('data-status', 'synced', { timeout: 15_000 });
  const asked = modelCalls();
  const runId = (await first.getAttribute('data-run-id')) ?? '';
  await expect.poll(() => serverRunStatus(syncServer, runId), { timeout: 30_000 }).toBe('completed');

  await b.goto(`${syncServer.url}/s/${id}?pane=workflows`);
  await expect(b.getByTestId('workflow-run-card').first()).toHaveAttribute('data-status', 'completed', {
    timeout: 30_000,
  });
  await b.getByText('Run a workflow').click();
  await runMultiReview(b);
  const rerun = b.getByTestId('workflow-run-card').first();
  await expect(b.getByTestId('workflow-run-card')).toHaveCount(2);
  await expect(rerun).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(rerun.getByTestId('workflow-result')).toContainText('request-changes');
  await expect(rerun).toContainText('0 ran, 5 from cache, 0 tokens');
  expect(modelCalls()).toBe(asked);
});
