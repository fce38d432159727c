// Lists that inform: New session opens the session with the cursor in its composer, and a session's row
// shows its last message, model, tokens and status, from the index (the list opens no session doc).
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, test } from '../harness/fixtures.ts';
import { assistantMessages, sendPrompt, startChatModel, useScriptedModel } from '../harness/model.ts';

let model: ScriptedModel;
test.beforeAll(async () => {
  model = await startChatModel();
});
test.afterAll(async () => {
  await model.close();
});

test('New session opens it with the composer focused; its row then shows last message, model, tokens, status', async ({
  page,
  syncServer,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  await page.goto(`${syncServer.url}/`);
  await page.getByTestId('new-session').click();
  await expect(page).toHaveURL(/\/s\/ses_/);
  const id = new URL(page.url()).pathname.split('/').pop();
  // The cursor is where the user types: no click needed before the first prompt.
  await expect(page.getByTestId('composer-input')).toBeFocused();
  await page.keyboard.type('summarise the release notes');
  await page.keyboard.press('Enter');
  await expect(assistantMessages(page).last()).toContainText('You said: summarise the release notes');

  await page.getByTitle('Back to sessions (Esc)').click();
  const row = page.locator(`[data-testid="session-row"][data-session-id="${id}"]`);
  const summary = row.getByTestId('session-row-summary');
  await expect(summary).toContainText('scripted-deepseek');
  await expect(summary).toContainText(/\d+ tokens/);
  await expect(summary).toContainText('You said: summarise the release notes');

  // A failed turn: the row says so, and its preview is the prompt that failed.
  await row.getByRole('button', { name: /summarise the release notes/ }).click();
  await sendPrompt(page, 'please refuse my key');
  await expect(assistantMessages(page).last().getByRole('alert')).toContainText('Invalid API key');
  await page.getByTitle('Back to sessions (Esc)').click();
  await expect(row).toContainText('failed');
  await expect(summary).toContainText('please refuse my key');

  const shots = join(tmpdir(), 'boocode-chat-output-shots');
  await mkdir(shots, { recursive: true });
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 600 });
    await page.screenshot({ path: join(shots, `session-list-${width}.png`) });
  }
});
