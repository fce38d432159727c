import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, type Page } from '@playwright/test';
import { openApp, test } from '../harness/fixtures.ts';
import { openNewSession } from '../harness/model.ts';

const ARGS = JSON.stringify({ diff: '+ const total = a + b;' });

let model: ScriptedModel;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'workflows') });
});
test.afterAll(async () => {
  await model.close();
});

/** Chat completions the scripted model answered (the model list the UI fetches is not a call). */
function modelCalls(): number {
  return model.requests().filter((r) => r.path.endsWith('/chat/completions')).length;
}

/**
 * Holds what the page sends on its workflow-run sockets until `release()`: the server then has none
 * of the run, as when the device that runs it is slow to upload. What the server sends still arrives.
 */
async function holdRunUploads(page: Page): Promise<{ release(): void }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.routeWebSocket(/\/yjs\/workflow-run/, (ws) => {
    const server = ws.connectToServer();
    // Every held frame waits on the same promise, so they go out in the order they were sent.
    ws.onMessage((message) => void released.then(() => server.send(message)));
  });
  return { release };
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

async function runMultiReview(page: Page, args = ARGS) {
  await page.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await page.getByTestId('workflow-args').fill(args);
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
  const uploads = await holdRunUploads(a);
  await a.getByRole('tab', { name: 'Workflows' }).click();
  await runMultiReview(a);
  const first = a.getByTestId('workflow-run-card').first();
  await expect(first).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  const runId = (await first.getAttribute('data-run-id')) ?? '';

  // B opens the run (listed through the space doc) while the server has none of it yet.
  await b.goto(`${syncServer.url}/s/${id}?pane=workflows`);
  const seen = b.locator(`[data-testid="workflow-run-card"][data-run-id="${runId}"]`);
  await expect(seen).toContainText('Loading run…');
  uploads.release();
  await expect(seen).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(a.getByTestId('session-sync-status')).toHaveAttribute('data-status', 'synced', { timeout: 15_000 });
  const asked = modelCalls();

  await b.getByText('Run a workflow').click();
  await runMultiReview(b);
  const rerun = b.getByTestId('workflow-run-card').first();
  await expect(b.getByTestId('workflow-run-card')).toHaveCount(2);
  await expect(rerun).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(rerun.getByTestId('workflow-result')).toContainText('request-changes');
  await expect(rerun).toContainText('0 ran, 5 from cache, 0 tokens');
  expect(modelCalls()).toBe(asked);
});

test('another device watching a run while it runs does not take it over: every agent is asked once', async ({
  browser,
  syncServer,
}) => {
  test.setTimeout(120_000);
  model.reset();
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  for (const page of [a, b]) {
    await useScriptedModelOn(page, syncServer.url);
    await openApp(page, syncServer);
  }
  const id = await openNewSession(a, syncServer.url, 'chat', 'Watched from another device');
  await a.getByRole('tab', { name: 'Workflows' }).click();
  // A diff of its own: the other test's run must not serve these agents from the cache.
  await runMultiReview(a, JSON.stringify({ diff: '+ const product = a * b;' }));
  const driving = a.getByTestId('workflow-run-card').first();
  await expect(driving).toHaveAttribute('data-status', 'running');
  const runId = (await driving.getAttribute('data-run-id')) ?? '';

  // B sees the run "running", and its lock is on another device: only A's beat says it is driven.
  await b.goto(`${syncServer.url}/s/${id}?pane=workflows`);
  const watched = b.locator(`[data-testid="workflow-run-card"][data-run-id="${runId}"]`);
  await expect(watched).toHaveAttribute('data-status', 'running', { timeout: 30_000 });
  await expect(watched).toContainText('driven by another tab');
  await expect(driving).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(watched).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  // Three reviewers, a judge and its one schema re-ask or none: the same five agents, each asked once.
  const prompts = model
    .requests()
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => {
      const messages = (r.body as { messages?: { role: string; content: unknown }[] }).messages ?? [];
      return String(messages.find((m) => m.role === 'user')?.content ?? '').slice(0, 60);
    });
  expect(new Set(prompts).size).toBe(prompts.length);
});
