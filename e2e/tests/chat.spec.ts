// The chat drives the agent from the browser: a prompt streams an answer, and a coder session's tool
// call to the real local runner shows as a card with its arguments, result and duration.

import { expect, test } from '../harness/chat-fixtures.ts';
import { assistantMessages, openNewSession, pairRunner, sendPrompt, useScriptedModel } from '../harness/model.ts';

test('a prompt streams an answer and a runner tool call shows as a card', async ({
  page,
  syncServer,
  pairedRunner,
}) => {
  await pairedRunner({ 'hello.txt': 'hi\n', 'README.md': '# demo\n' });
  await openNewSession(page, syncServer.url, 'coder', 'List the workspace');
  await expect(page.getByTestId('chat-empty')).toContainText('Ask something…');
  await expect(page.getByTestId('scripted-label')).toBeVisible();

  await sendPrompt(page, 'please list files here');
  const card = page.getByTestId('tool-card').filter({ hasText: 'list_files' });
  await expect(card).toBeVisible();
  await expect(card.getByTestId('tool-status')).toHaveText('done');
  await expect(assistantMessages(page).last()).toContainText('Here is what I found', { timeout: 10_000 });
  await expect(assistantMessages(page).last()).toContainText('hello.txt');

  // The card expands to the arguments and the runner's result.
  await card.locator('summary').click();
  await expect(card.getByTestId('tool-output')).toContainText('hello.txt');
  await expect(card).toContainText('"path": "."');
  await expect(page.getByTestId('usage-counter')).not.toHaveText(/^0 tokens/);
  await expect(page.getByTestId('send')).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/chat-tool-card.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'e2e/screenshots/chat-tool-card-dark.png' });
});

test('Shift+Enter makes a new line, Enter sends, Stop cancels the running turn', async ({
  page,
  syncServer,
  model,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Stop a turn');
  const box = page.getByTestId('composer-input');
  await box.fill('first line');
  await box.press('Shift+Enter');
  await box.pressSequentially('answer slowly');
  await expect(box).toHaveValue('first line\nanswer slowly');
  await expect(page.getByTestId('message')).toHaveCount(0);
  await box.press('Enter');
  await expect(box).toHaveValue('');
  const user = page.locator('[data-testid="message"][data-role="user"]');
  await expect(user).toHaveCount(1);
  expect(await user.getByTestId('message-text').textContent()).toBe('first line\nanswer slowly');

  const answer = assistantMessages(page).last();
  await expect(answer).toContainText('This answer streams');
  await page.getByTestId('stop').click();
  await expect(answer.locator('.tag')).toHaveText('cancelled');
  await expect(page.getByTestId('send')).toBeVisible();
  await expect(answer).not.toContainText('without repeating a word.');
});

test('a real provider is called through the runner, whose key never reaches the page', async ({
  page,
  syncServer,
  model,
  startRunner,
}) => {
  const secret = 'sk-e2e-secret-key';
  // The runner's "deepseek" provider points at the scripted model, so the proxy path runs for real.
  const runner = await startRunner(
    syncServer.url,
    {},
    {
      providers: [{ id: 'deepseek', baseUrl: model.baseUrl, apiKeyEnv: 'DEEPSEEK_API_KEY' }],
      env: { DEEPSEEK_API_KEY: secret },
    },
  );
  const seen: string[] = [];
  page.on('request', (r) => seen.push(`${r.url()} ${JSON.stringify(r.headers())} ${r.postData() ?? ''}`));
  await pairRunner(page, syncServer.url, runner);
  await useScriptedModel(page, syncServer.url, model, 'deepseek');
  await openNewSession(page, syncServer.url, 'chat', 'Through the proxy');
  await expect(page.getByTestId('model-picker').locator('option')).toContainText([
    'scripted-deepseek (scripted)',
    'scripted-openai (scripted)',
  ]);
  await sendPrompt(page, 'hello through the proxy');
  await expect(assistantMessages(page).last()).toContainText('You said: hello through the proxy');

  const upstream = model.requests().filter((r) => r.path.endsWith('/chat/completions'));
  expect(upstream.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`);
  expect(seen.some((s) => s.startsWith(`${runner?.url}/v1/chat/completions`))).toBe(true);
  expect(seen.filter((s) => s.includes(secret))).toEqual([]);
});

test('a coder session without a paired runner says so in words', async ({ page, syncServer, model }) => {
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'coder', 'No runner');
  await sendPrompt(page, 'please list files');
  await expect(page.getByTestId('chat-problem')).toContainText('needs the local runner');
});

test('a provider error is shown in words on the answer, and the next prompt can be sent', async ({
  page,
  syncServer,
  model,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Provider error');
  await sendPrompt(page, 'please refuse my key');
  const answer = assistantMessages(page).last();
  await expect(answer.getByRole('alert')).toContainText('The scripted model rejected the API key (HTTP 401)');
  await expect(answer.getByRole('alert')).toContainText('Invalid API key (scripted)');
  await expect(page.getByTestId('send')).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/chat-error.png' });
  // The session list says the last turn failed.
  await page.getByTitle('Back to sessions (Esc)').click();
  await expect(page.getByTestId('session-row').filter({ hasText: 'Provider error' })).toContainText('failed');
});

test('an untitled session takes its title from the first prompt', async ({ page, syncServer, model }) => {
  await useScriptedModel(page, syncServer.url, model);
  await page.goto(`${syncServer.url}/`);
  await page.getByTestId('new-session').click();
  await expect(page.getByTestId('session-title')).toHaveText('Untitled session');
  const box = page.getByTestId('composer-input');
  await expect(box).toBeFocused();
  await box.fill('Explain the login flow\nwith details');
  await box.press('Enter');
  await expect(page.getByTestId('session-title')).toHaveText('Explain the login flow');
  await expect(assistantMessages(page).last()).toContainText('You said: Explain the login flow');
});
