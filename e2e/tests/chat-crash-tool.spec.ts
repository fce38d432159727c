// A crash mid-tool: the driving page closes while an approved command is running. The command may
// or may not have taken effect, so the page that takes the session over shows the call as
// interrupted and asks before running it again; approving runs it exactly once more, and the turn
// ends with one answer and one card for the call.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '../harness/chat-fixtures.ts';
import { assistantMessages, openNewSession, pairRunner, sendPrompt, useScriptedModel } from '../harness/model.ts';

// The scripted command (chat-e2e.json) appends `started` to runs.log, prints first-line, then runs
// until the test creates `release` (at most 30 s), so the page closes while it is surely running.

/** How many times the scripted command has started. */
async function commandStarts(workspace: string): Promise<number> {
  const log = await readFile(join(workspace, 'runs.log'), 'utf8').catch(() => '');
  return log.split('\n').filter((l) => l === 'started').length;
}

test('closing the page while an approved command runs: the next page asks before re-running it, and runs it once', async ({
  context,
  syncServer,
  model,
  startRunner,
}) => {
  // The takeover waits until the dead driver's heartbeat is stale (10 s) and checks twice.
  test.setTimeout(90_000);
  const runner = await startRunner(syncServer.url);
  const { workspace } = runner;
  const driver = await context.newPage();
  await useScriptedModel(driver, syncServer.url, model);
  await pairRunner(driver, syncServer.url, runner);
  const id = await openNewSession(driver, syncServer.url, 'coder', 'Crash mid-command');
  await sendPrompt(driver, 'please run the crash command');
  const driverCard = driver.getByTestId('tool-card').filter({ hasText: 'run_command' });
  await driverCard.getByRole('button', { name: 'Approve' }).click();
  await expect(driverCard.getByTestId('tool-output')).toContainText('first-line');
  await expect(driverCard.getByTestId('tool-status')).toHaveText('running');

  // A second tab follows the running call; once it shows the streamed output, the open span is
  // stored on the device, so closing the driver is a crash mid-tool, not lost doc updates.
  const next = await context.newPage();
  await next.goto(`${syncServer.url}/s/${id}`);
  const card = next.getByTestId('tool-card').filter({ hasText: 'run_command' });
  await expect(card.getByTestId('tool-output')).toContainText('first-line');
  await expect(card.getByTestId('tool-status')).toHaveText('running');
  expect(await commandStarts(workspace)).toBe(1);
  await driver.close();

  const resume = next.getByTestId('resume-approval');
  await expect(resume).toContainText('run_command was interrupted', { timeout: 20_000 });
  await expect(card.getByTestId('tool-status')).toHaveText('interrupted');
  // Asked, not re-run behind the user's back; the turn waits on the answer.
  expect(await commandStarts(workspace)).toBe(1);
  await expect(assistantMessages(next).filter({ hasText: 'The crash command finished.' })).toHaveCount(0);

  await resume.getByRole('button', { name: 'Run again' }).click();
  await expect(resume).toHaveCount(0);
  await expect.poll(() => commandStarts(workspace)).toBe(2);
  await writeFile(join(workspace, 'release'), '');
  await expect(card.getByTestId('tool-status')).toHaveText('done', { timeout: 15_000 });
  await expect(card.getByTestId('terminal-stdout')).toContainText('second-line');
  await expect(assistantMessages(next).last()).toContainText('The crash command finished.');
  await expect(next.getByTestId('send')).toBeVisible();

  // Once: one more start of the command, one prompt, one card for the call, one final answer.
  expect(await commandStarts(workspace)).toBe(2);
  await expect(next.locator('[data-testid="message"][data-role="user"]')).toHaveCount(1);
  await expect(next.getByTestId('tool-card')).toHaveCount(1);
  await expect(assistantMessages(next).filter({ hasText: 'Running the crash command.' })).toHaveCount(1);
  await expect(assistantMessages(next).filter({ hasText: 'The crash command finished.' })).toHaveCount(1);
  await expect(next.getByTestId('approval-card')).toHaveCount(0);
});
