// Retry, Regenerate and Copy on messages: a failed turn is asked again, an answer is asked for again with the
// old one kept to flip back to (the model never sees it), and a message copies as its Markdown source.

import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import type { Page } from '@playwright/test';
import { expect, test } from '../harness/fixtures.ts';
import { assistantMessages, openNewSession, sendPrompt, startChatModel, useScriptedModel } from '../harness/model.ts';

let model: ScriptedModel;

test.beforeAll(async () => {
  model = await startChatModel();
});
test.afterAll(async () => {
  await model.close();
});

/** The user messages of the last chat completion sent for a prompt containing `prompt`. */
function userMessagesSentFor(prompt: string): string[] {
  const bodies = model
    .requests()
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => r.body as { messages: Array<{ role: string; content: unknown }> });
  const last = bodies.filter((b) => JSON.stringify(b.messages.at(-1)?.content).includes(prompt)).at(-1);
  return (last?.messages ?? []).filter((m) => m.role === 'user').map((m) => String(m.content));
}

const pager = (page: Page) => page.getByTestId('alternative-pager');

test('a failed turn is retried; the failed answer is kept and can be flipped back to', async ({ page, syncServer }) => {
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Retry');
  await sendPrompt(page, 'fail the first time, please');
  const answer = assistantMessages(page).last();
  await expect(answer.getByRole('alert')).toContainText('Refused once (scripted)');

  await answer.getByRole('button', { name: 'Retry' }).click();
  await expect(assistantMessages(page)).toHaveCount(1);
  await expect(assistantMessages(page).last()).toContainText('Answered on the second try.');
  await expect(pager(page)).toContainText('2/2');
  // The model was asked once more with the prompt once, not twice.
  expect(userMessagesSentFor('fail the first time')).toEqual(['fail the first time, please']);

  await pager(page).getByRole('button', { name: 'Previous answer' }).click();
  await expect(pager(page)).toContainText('1/2');
  await expect(assistantMessages(page).last().getByRole('alert')).toContainText('Refused once (scripted)');
  await pager(page).getByRole('button', { name: 'Next answer' }).click();
  await expect(assistantMessages(page).last()).toContainText('Answered on the second try.');
});

test('regenerate keeps the old answer as a sibling; the next prompt builds on the one shown', async ({
  page,
  syncServer,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Regenerate');
  await sendPrompt(page, 'number my answers');
  const firstText = assistantMessages(page).last().getByTestId('message-text');
  await expect(firstText).toHaveText(/^Answer number \d+\.\s*$/);
  const first = (await firstText.textContent())?.trim() ?? '';
  // A prompt that was never asked again has no pager.
  await expect(pager(page)).toHaveCount(0);

  await assistantMessages(page).last().getByRole('button', { name: 'Regenerate' }).click();
  await expect(pager(page)).toContainText('2/2');
  await expect(assistantMessages(page)).toHaveCount(1);
  const second = assistantMessages(page).last().getByTestId('message-text');
  await expect(second).toHaveText(/^Answer number \d+\.\s*$/);
  expect((await second.textContent())?.trim()).not.toBe(first);
  expect(userMessagesSentFor('number my answers')).toEqual(['number my answers']);

  // Flip back: the first answer is the one shown, and the one the next prompt's history holds.
  await pager(page).getByRole('button', { name: 'Previous answer' }).click();
  await expect(assistantMessages(page).last().getByTestId('message-text')).toHaveText(first);
  await sendPrompt(page, 'and after that?');
  await expect(assistantMessages(page)).toHaveCount(2);
  await expect(assistantMessages(page).last()).toContainText('You said: and after that?');
  const history = model
    .requests()
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => r.body as { messages: Array<{ role: string; content: unknown }> })
    .at(-1)!
    .messages.filter((m) => m.role !== 'system')
    .map((m) => [m.role, String(m.content)]);
  expect(history).toEqual([
    ['user', 'number my answers'],
    ['assistant', first],
    ['user', 'and after that?'],
  ]);
  // A later prompt built on that answer: flipping it now would rewrite that history.
  await expect(pager(page).getByRole('button', { name: 'Next answer' })).toBeDisabled();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: 'e2e/screenshots/chat-alternatives-360.png' });
});

test('a message copies as its Markdown source', async ({ page, syncServer }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: syncServer.url });
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Copy');
  await sendPrompt(page, 'say **bold** and `code`');
  const answer = assistantMessages(page).last();
  await expect(answer).toContainText('You said');

  await answer.getByRole('button', { name: /Copy this assistant message/ }).click();
  await expect(answer.getByRole('status')).toHaveText('Copied as Markdown');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    '**Scripted model** (not a real model). You said: say **bold** and `code`',
  );
  const prompt = page.locator('[data-testid="message"][data-role="user"]').last();
  await prompt.getByRole('button', { name: /Copy this user message/ }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('say **bold** and `code`');
});

test('edit the last prompt: a fork asks the edited text, the original keeps the old one', async ({
  page,
  syncServer,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  const original = await openNewSession(page, syncServer.url, 'chat', 'Edit');
  await sendPrompt(page, 'first words');
  // The next prompt goes once this turn has ended (Enter does not send while a turn runs; fresh-clone CI
  // under load pressed it mid-answer).
  await expect(assistantMessages(page).last()).toContainText('You said: first words');
  await expect(page.getByTestId('send')).toBeVisible({ timeout: 15_000 });
  await sendPrompt(page, 'second wrods');
  await expect(assistantMessages(page).last()).toContainText('You said: second wrods', { timeout: 15_000 });
  const prompts = page.locator('[data-testid="message"][data-role="user"]');

  // Only the last prompt offers Edit; Escape cancels and leaves the session as it was (and open).
  await expect(prompts.first().getByTestId('edit-prompt')).toHaveCount(0);
  const editButton = prompts.last().getByRole('button', { name: 'Edit this message and send it again' });
  await editButton.click();
  const box = page.getByRole('textbox', { name: 'Edit your message' });
  await expect(box).toBeFocused();
  await box.fill('second words, edited');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: 'e2e/screenshots/chat-edit-open-1280.png' });
  await box.press('Escape');
  await expect(box).toHaveCount(0);
  await expect(editButton).toBeFocused();
  await expect(page).toHaveURL(new RegExp(`/s/${original}$`));
  await expect(prompts.last()).toContainText('second wrods');

  // From the keyboard: Enter on Edit opens the box, Enter sends.
  await page.setViewportSize({ width: 360, height: 740 });
  await editButton.press('Enter');
  await box.fill('second words, edited');
  await page.screenshot({ path: 'e2e/screenshots/chat-edit-open-360.png' });
  const asked = model.requests().length;
  await box.press('Enter');
  await expect(page).not.toHaveURL(new RegExp(`/s/${original}`));
  await expect(page.getByTestId('session-title')).toHaveText('Edit (edited at turn 2)');
  await expect(assistantMessages(page).last()).toContainText('You said: second words, edited');
  await expect(page.getByTestId('message').filter({ hasText: 'Forked from “Edit” to ask turn 2 again' })).toBeVisible();
  await expect(prompts).toHaveCount(2);
  await expect(prompts.last()).toContainText('second words, edited');
  // The fork opens as a session of its own: no edit left open from the original.
  await expect(page.getByTestId('prompt-editor')).toHaveCount(0);

  // The model got the edited prompt on top of the first turn only: the old wording and its answer are gone.
  const sent = model
    .requests()
    .slice(asked)
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => r.body as { messages: Array<{ role: string; content: unknown }> });
  expect(sent).toHaveLength(1);
  const history = sent[0]!.messages.filter((m) => m.role !== 'system').map((m) => [m.role, String(m.content)]);
  expect(history.map(([role]) => role)).toEqual(['user', 'assistant', 'user']);
  expect(history[0]![1]).toBe('first words');
  expect(history[2]![1]).toBe('second words, edited');
  expect(JSON.stringify(history)).not.toContain('wrods');
  await page.screenshot({ path: 'e2e/screenshots/chat-edit-fork-360.png' });

  // The original still has the old prompt and its answer, and a notice pointing to the fork.
  await page.goto(`${syncServer.url}/s/${original}`);
  await expect(prompts).toHaveCount(2);
  await expect(prompts.last()).toContainText('second wrods');
  await expect(assistantMessages(page).last()).toContainText('You said: second wrods');
  await expect(page.getByTestId('message').last()).toContainText(
    'Turn 2 was asked again with an edited message in “Edit (edited at turn 2)”',
  );
});
