// A write tool in a coder session waits for the user: the card shows Approve / Deny / Always allow,
// the runner's workspace is untouched until Approve, and the call runs (with approved: true) after it.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '../harness/chat-fixtures.ts';
import { assistantMessages, openNewSession, pairRunner, sendPrompt, useScriptedModel } from '../harness/model.ts';

test('a write tool waits for Approve and runs only after it', async ({ page, syncServer, pairedRunner }) => {
  const runner = await pairedRunner();
  const note = join(runner.workspace, 'note.txt');
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
  await page.screenshot({ path: 'e2e/screenshots/chat-approval.png' });

  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(card.getByTestId('tool-status')).toHaveText('done');
  await expect(approval).toHaveCount(0);
  expect(await readFile(note, 'utf8')).toBe('written by the agent\n');
  await expect(assistantMessages(page).last()).toContainText('The write tool said');
});

test('Deny answers the model without touching the workspace', async ({ page, syncServer, pairedRunner }) => {
  const runner = await pairedRunner();
  await openNewSession(page, syncServer.url, 'coder', 'Write denied');
  await sendPrompt(page, 'please write a note');
  const card = page.getByTestId('tool-card').filter({ hasText: 'write_file' });
  await card.getByRole('button', { name: 'Deny' }).click();
  await expect(card.getByTestId('tool-status')).toHaveText('error');
  await expect(card).toContainText('The user denied this tool call.');
  await expect(assistantMessages(page).last()).toContainText('DENIED_BY_USER');
  expect(existsSync(join(runner.workspace, 'note.txt'))).toBe(false);
});

test('a write left waiting by a closed page is asked again in the next page (it never ran), and runs once approved', async ({
  context,
  syncServer,
  model,
  startRunner,
}) => {
  const runner = await startRunner(syncServer.url);
  const note = join(runner.workspace, 'note.txt');
  const first = await context.newPage();
  await useScriptedModel(first, syncServer.url, model);
  await pairRunner(first, syncServer.url, runner);
  const id = await openNewSession(first, syncServer.url, 'coder', 'Crash while asking');
  await sendPrompt(first, 'please write a note');
  await expect(first.getByTestId('approval-card')).toBeVisible();
  // A second tab follows; once it shows the waiting call, the question is stored on the device
  // (closing a page drops doc updates not yet written to IndexedDB, which would be a different crash).
  const next = await context.newPage();
  await next.goto(`${syncServer.url}/s/${id}`);
  await expect(next.getByTestId('tool-card').getByTestId('tool-status')).toHaveText('needs approval');
  await first.close();

  // The call never started, so it is simply asked again (not "it may have taken effect"); the next page
  // takes the turn over and its question is the one answered.
  await expect(next.getByTestId('resume-approval')).toHaveCount(0);
  const card = next.getByTestId('approval-card');
  await expect(card).toBeVisible();
  expect(existsSync(note)).toBe(false);
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(assistantMessages(next).last()).toContainText('The write tool said');
  await expect(next.getByTestId('approval-card')).toHaveCount(0);
  expect(await readFile(note, 'utf8')).toBe('written by the agent\n');
});

test('Always allow adds a runner rule, so the next write runs without asking', async ({
  page,
  syncServer,
  pairedRunner,
}) => {
  const runner = await pairedRunner();
  await openNewSession(page, syncServer.url, 'coder', 'Always allow writes');
  await sendPrompt(page, 'please write a note');
  const firstCard = page.getByTestId('tool-card').first();
  await firstCard.getByRole('button', { name: 'Always allow' }).click();
  await expect(firstCard.getByTestId('tool-status')).toHaveText('done');
  await expect(assistantMessages(page).last()).toContainText('The write tool said');

  const rules = await fetch(`${runner.url}/approval/rules`, { headers: { authorization: `Bearer ${runner.token}` } });
  expect(await rules.json()).toEqual({ rules: [{ effect: 'allow', tool: 'write_file' }] });

  await rm(join(runner.workspace, 'note.txt'));
  await sendPrompt(page, 'please write a note again');
  const second = page.getByTestId('tool-card').nth(1);
  await expect(second.getByTestId('tool-status')).toHaveText('done');
  await expect(page.getByTestId('approval-card')).toHaveCount(0);
  expect(await readFile(join(runner.workspace, 'note.txt'), 'utf8')).toBe('written by the agent\n');
});

test('a write into .git/ asks even under "always allow write_file", says why, and offers no Always allow', async ({
  page,
  syncServer,
  model,
  startRunner,
}) => {
  const runner = await startRunner(syncServer.url);
  const put = await fetch(`${runner.url}/approval/rules`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${runner.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ rules: [{ effect: 'allow', tool: 'write_file' }] }),
  });
  expect(put.status).toBe(200);
  await useScriptedModel(page, syncServer.url, model);
  await pairRunner(page, syncServer.url, runner);
  await openNewSession(page, syncServer.url, 'coder', 'Git config write');
  await sendPrompt(page, 'please set up the git config');

  const card = page.getByTestId('tool-card').filter({ hasText: 'write_file' });
  const approval = card.getByTestId('approval-card');
  await expect(approval.getByTestId('approval-danger')).toContainText('Careful, this can run a program');
  await expect(approval.getByTestId('approval-danger')).toContainText("inside git's own folder");
  await expect(approval.getByRole('button', { name: 'Always allow' })).toHaveCount(0);
  expect(existsSync(join(runner.workspace, '.git/config'))).toBe(false);
  await page.screenshot({ path: 'e2e/screenshots/chat-approval-git-danger.png' });

  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(card.getByTestId('tool-status')).toHaveText('done');
  expect(await readFile(join(runner.workspace, '.git/config'), 'utf8')).toContain('fsmonitor');
});

test('an approved command streams its output into the card while it runs', async ({
  page,
  syncServer,
  pairedRunner,
}) => {
  await pairedRunner();
  await openNewSession(page, syncServer.url, 'coder', 'Streamed command');
  await sendPrompt(page, 'please run the slow command');
  const card = page.getByTestId('tool-card').filter({ hasText: 'run_command' });
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card.getByTestId('tool-output')).toContainText('first-line');
  // Seen before the command ended: the second line is still two seconds away.
  await expect(card.getByTestId('tool-status')).toHaveText('running');
  await expect(card.getByTestId('tool-output')).not.toContainText('second-line');
  await expect(card.getByTestId('tool-status')).toHaveText('done', { timeout: 10_000 });
  await expect(card.getByTestId('terminal-stdout')).toContainText('second-line');
  await expect(assistantMessages(page).last()).toContainText('The command finished.');
});

test('another tab of the device shows the waiting call and can approve it', async ({
  context,
  syncServer,
  model,
  startRunner,
}) => {
  const runner = await startRunner(syncServer.url);
  const note = join(runner.workspace, 'note.txt');
  const driver = await context.newPage();
  await useScriptedModel(driver, syncServer.url, model);
  await pairRunner(driver, syncServer.url, runner);
  const id = await openNewSession(driver, syncServer.url, 'coder', 'Approve from another tab');
  await sendPrompt(driver, 'please write a note');
  await expect(driver.getByTestId('approval-card')).toBeVisible();

  const other = await context.newPage();
  await other.goto(`${syncServer.url}/s/${id}`);
  const card = other.getByTestId('tool-card').filter({ hasText: 'write_file' });
  await expect(card.getByTestId('approval-card')).toBeVisible();
  expect(existsSync(note)).toBe(false);
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(driver.getByTestId('tool-card').getByTestId('tool-status')).toHaveText('done');
  await expect(card.getByTestId('tool-status')).toHaveText('done');
  await expect(other.getByTestId('approval-card')).toHaveCount(0);
  expect(await readFile(note, 'utf8')).toBe('written by the agent\n');
});
