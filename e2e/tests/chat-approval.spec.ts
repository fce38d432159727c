// A write tool in a coder session waits for the user: the card shows Approve / Deny / Always allow,
// the runner's workspace is untouched until Approve, and the call runs (with approved: true) after it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '../harness/fixtures.ts';
import {
  assistantMessages,
  openNewSession,
  pairRunner,
  sendPrompt,
  startChatModel,
  startTestRunner,
  type TestRunner,
  useScriptedModel,
} from '../harness/model.ts';
import type { ScriptedModel } from '../scripted-model/server.ts';

let model: ScriptedModel;
let runner: TestRunner | undefined;
test.beforeAll(async () => {
  model = await startChatModel();
});
test.afterAll(async () => {
  await model.close();
});
test.afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

test('a write tool waits for Approve and runs only after it', async ({ page, syncServer }) => {
  runner = await startTestRunner(syncServer.url);
  const note = join(runner.workspace, 'note.txt');
  await useScriptedModel(page, syncServer.url, model);
  await pairRunner(page, syncServer.url, runner);
  await openNewSession(page, syncServer.url, 'coder', 'Write with approval');
  await sendPrompt(page, 'please write a note');

  const card = page.getByTestId('tool-card').filter({ hasText: 'write_file' });
  const approval = card.getByTestId('approval-card');
  await expect(approval).toBeVisible();
  await expect(card.getByTestId('tool-status')).toHaveText('needs approval');
  await expect(approval.getByRole('button', { name: 'Always allow' })).toBeVisible();
  await expect(approval.getByRole('button', { name: 'Deny' })).toBeVisible();
  // Waiting: the model has been asked once, and the file is not there.
  expect(existsSync(note)).toBe(false);
  await expect(page.getByTestId('stop')).toBeVisible();

  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(card.getByTestId('tool-status')).toHaveText('done');
  await expect(approval).toHaveCount(0);
  expect(await readFile(note, 'utf8')).toBe('written by the agent\n');
  await expect(assistantMessages(page).last()).toContainText('The write tool said');
});

test('Deny answers the model without touching the workspace', async ({ page, syncServer }) => {
  runner = await startTestRunner(syncServer.url);
  await useScriptedModel(page, syncServer.url, model);
  await pairRunner(page, syncServer.url, runner);
  await openNewSession(page, syncServer.url, 'coder', 'Write denied');
  await sendPrompt(page, 'please write a note');
  const card = page.getByTestId('tool-card').filter({ hasText: 'write_file' });
  await card.getByRole('button', { name: 'Deny' }).click();
  await expect(card.getByTestId('tool-status')).toHaveText('error');
  await expect(card).toContainText('The user denied this tool call.');
  await expect(assistantMessages(page).last()).toContainText('DENIED_BY_USER');
  expect(existsSync(join(runner.workspace, 'note.txt'))).toBe(false);
});
