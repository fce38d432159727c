// Providers as a user meets them in Settings → Model: add a server of their own with its key (the key goes to
// the runner only) and chat with it; a base URL that is not one is refused in words; Test connection says
// what works; a rate limit shows "retrying in …" with the wait the server asked for (read through the
// runner's CORS) and a Cancel; a chat session offers no subagent tools until they are turned on, and the
// tools and system prompt it sends stay byte-identical between turns.
import { loadScenarios } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import type { Page } from '@playwright/test';
import { expect, test } from '../harness/fixtures.ts';
import {
  assistantMessages,
  openNewSession,
  pairRunner,
  sendPrompt,
  startTestRunner,
  type TestRunner,
  turnOnSubagents,
} from '../harness/model.ts';

const KEY = 'sk-e2e-own-server-0123456789';
let model: ScriptedModel;
let runner: TestRunner | undefined;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarios('providers-e2e'), apiKey: KEY });
});
test.afterAll(async () => {
  await model.close();
});
test.afterEach(async () => {
  await runner?.close();
  runner = undefined;
  model.reset();
});

type ChatBody = { messages: Array<{ role: string; content: unknown }>; tools?: unknown };
const chatBodies = () =>
  model
    .requests()
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => r.body as ChatBody);

/** Settings → Model → Add a provider, as the user fills it in. */
async function addOwnServer(page: Page, baseUrl: string) {
  await page.getByTestId('custom-add').click();
  await page.getByTestId('custom-name').fill('My Server');
  await page.getByTestId('custom-base-url').fill(baseUrl);
  await page.getByTestId('custom-key').fill(KEY);
  await page.getByTestId('custom-model').fill('scripted-openai');
  await page.getByTestId('custom-save').click();
}

/** A runner paired with this browser (closed after the test), and Settings open. */
async function pairedSettings(page: Page, appUrl: string): Promise<TestRunner> {
  runner = await startTestRunner(appUrl);
  await pairRunner(page, appUrl, runner);
  await page.goto(`${appUrl}/settings`);
  return runner;
}

/** Paired, with My Server (the scripted model, with its key) added in Settings: it becomes the model in use. */
async function withOwnServer(page: Page, appUrl: string): Promise<void> {
  await pairedSettings(page, appUrl);
  await addOwnServer(page, model.baseUrl);
  await expect(page.getByTestId('custom-note')).toContainText('Added My Server');
}

test('add a custom provider with its key in Settings, refuse “not a url” in words, test it, and chat with it', async ({
  page,
  syncServer,
}) => {
  const paired = await pairedSettings(page, syncServer.url);

  await addOwnServer(page, 'not a url');
  await expect(page.getByTestId('custom-error')).toHaveText(
    '“not a url” is not a URL: write the whole address with http:// or https://, for example http://127.0.0.1:11434/v1.',
  );
  expect(
    await (await fetch(`${paired.url}/providers`, { headers: { authorization: `Bearer ${paired.token}` } })).text(),
  ).not.toContain('My Server');

  await page.getByTestId('custom-base-url').fill(model.baseUrl);
  await page.getByTestId('custom-save').click();
  await expect(page.getByTestId('custom-note')).toHaveText('Added My Server, with its key on the runner.');
  await expect(page.getByTestId('custom-provider')).toContainText('key set');
  await page.locator('section.model-settings').screenshot({ path: 'e2e/screenshots/model-settings-own-provider.png' });
  await expect(page.getByTestId('model-provider')).toHaveValue('custom-my-server');
  await expect(page.getByTestId('model-name')).toHaveValue('scripted-openai');
  // The key went to the runner; the page kept nothing of it.
  await expect(page.getByTestId('custom-key')).toHaveCount(0);

  await page.getByTestId('provider-test').click();
  const report = page.getByTestId('connection-report');
  await expect(report).toContainText('My Server answers and everything the app uses works.', { timeout: 15_000 });
  await expect(report.locator('[data-check="streaming"]')).toHaveAttribute('data-status', 'works');
  await expect(report.locator('[data-check="structured-output"]')).toContainText('Honours response_format');
  await page.getByTestId('connection-report').screenshot({ path: 'e2e/screenshots/provider-test-connection.png' });

  // A local server's address is checked the same way before it is saved.
  await page.getByTestId('model-provider').selectOption('ollama');
  await page.getByTestId('model-base-url').fill('not a url');
  await page.getByTestId('model-save').click();
  await expect(page.getByTestId('model-url-error')).toContainText('“not a url” is not a URL');
  await page.getByTestId('model-provider').selectOption('custom-my-server');
  await page.getByTestId('model-name').fill('scripted-openai');
  await page.getByTestId('model-save').click();
  await expect(page.getByText('Saved. The next turn uses it.')).toBeVisible();

  model.reset();
  await openNewSession(page, syncServer.url, 'chat', 'Own server chat');
  await sendPrompt(page, 'hello custom server');
  await expect(assistantMessages(page).last()).toContainText('Hello from your own server.');
  const [sent] = model.requests().filter((r) => r.path.endsWith('/chat/completions'));
  expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
  expect(sent?.headers['x-boocode-provider']).toBeUndefined();
  const stored = await page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    return JSON.stringify(dbs) + JSON.stringify(localStorage);
  });
  expect(stored).not.toContain(KEY);
});

test('a rate limit shows the wait the server asked for, with a Cancel that stops the turn', async ({
  page,
  syncServer,
}) => {
  await withOwnServer(page, syncServer.url);

  await openNewSession(page, syncServer.url, 'chat', 'Rate limited');
  await sendPrompt(page, 'busy right now?');
  const notice = page.getByTestId('retry-notice');
  // 45 s came from the server's Retry-After, through the runner's CORS (the engine's own backoff is 1 s).
  await expect(notice).toContainText(
    /My Server is rate-limiting requests \(HTTP 429\) \(Too many requests \(scripted\)\)\. It asks to wait 45 s\. Retrying in \d+ s \(try 2 of 3\)/,
  );
  await notice.screenshot({ path: 'e2e/screenshots/provider-retry-notice.png' });
  await page.getByTestId('retry-cancel').click();
  await expect(assistantMessages(page).last()).toContainText('Cancelled while waiting to retry.');
  await expect(notice).toHaveCount(0);
  expect(chatBodies()).toHaveLength(1);
});

test('a chat session offers subagent tools only when they are on; tools and system prompt stay byte-identical', async ({
  page,
  syncServer,
}) => {
  await withOwnServer(page, syncServer.url);

  await openNewSession(page, syncServer.url, 'chat', 'Plain chat');
  await expect(page.getByTestId('subagents-toggle')).not.toBeChecked();
  for (const n of [1, 2]) {
    await sendPrompt(page, `same tools? ${n}`);
    await expect(assistantMessages(page)).toHaveCount(n);
    await expect(assistantMessages(page).last()).toContainText('Same tools as before.');
  }
  await turnOnSubagents(page);
  for (const n of [3, 4]) {
    await sendPrompt(page, `same tools? ${n}`);
    await expect(assistantMessages(page)).toHaveCount(n);
    await expect(assistantMessages(page).last()).toContainText('Same tools as before.');
  }
  const bodies = chatBodies();
  expect(bodies).toHaveLength(4);
  const toolsOf = (b: ChatBody) => JSON.stringify(b.tools ?? null);
  const systemOf = (b: ChatBody) => JSON.stringify(b.messages.filter((m) => m.role === 'system'));
  // Off: no tool definitions at all; on: the subagent tools, the same bytes on both turns.
  expect(bodies.slice(0, 2).map(toolsOf)).toEqual(['null', 'null']);
  expect(toolsOf(bodies[2]!)).toContain('spawn_subagent');
  expect(toolsOf(bodies[3]!)).toBe(toolsOf(bodies[2]!));
  expect(new Set(bodies.map(systemOf)).size).toBe(1);
});
