// Tool output that reads like a terminal and an editor: a command's stdout and stderr apart with its exit
// code and what the runner's cap dropped; a timeout in its own state; an edit and an overwrite as diffs;
// a warning before sending more than 100 KB; a long message folded. Screenshots of the cards at 1280 and
// 360 px go to a temp folder (printed) for a person to look at.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from '../harness/chat-fixtures.ts';
import { assistantMessages, openNewSession, sendPrompt, useScriptedModel } from '../harness/model.ts';

/** Every tool call allowed, so the cards show results without an approval step. */
const ALLOW_ALL = { rules: [{ effect: 'allow' as const, tool: '*' as const }] };
const SHOTS = join(tmpdir(), 'boocode-chat-output-shots');

/**
 * With the model chosen and a runner paired (pairedRunner): a coder session whose prompt runs one command,
 * approved (shell syntax always asks: no allow rule covers it); returns the command's card once the turn has
 * answered `answer`.
 */
async function runApprovedCommand(
  page: Page,
  appUrl: string,
  turn: { title: string; prompt: string; answer: string },
): Promise<Locator> {
  await openNewSession(page, appUrl, 'coder', turn.title);
  await sendPrompt(page, turn.prompt);
  await page.getByTestId('tool-card').getByRole('button', { name: 'Approve' }).click();
  await expect(assistantMessages(page).last()).toContainText(turn.answer, { timeout: 15_000 });
  return page.getByTestId('tool-card').filter({ hasText: 'run_command' });
}

/** Screenshots of `target` at 1280 and 360 px wide, for a person to look at. */
async function shootAtWidths(page: Page, target: Locator, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 900 });
    await target.screenshot({ path: join(SHOTS, `${name}-${width}.png`) });
  }
}

test('a command printing past the cap shows its output folded, its exit code and what was dropped', async ({
  page,
  syncServer,
  pairedRunner,
}) => {
  await pairedRunner({}, ALLOW_ALL);
  const card = await runApprovedCommand(page, syncServer.url, {
    title: 'Flood',
    prompt: 'please print a flood',
    answer: 'The flood is over.',
  });
  // Exit 3 is not "done": the tag says how it ended.
  await expect(card.getByTestId('tool-status')).toHaveText('exit 3');
  await card.locator('summary').click();
  const terminal = card.getByTestId('terminal');
  await expect(terminal.getByTestId('terminal-stdout')).toContainText('xxxxxxxx');
  await expect(terminal.getByTestId('terminal-state')).toHaveText('exit 3');
  // 100,000 bytes against the runner's 32 KB cap: about 65.6 KB dropped, said in words.
  await expect(terminal.getByTestId('terminal-truncated')).toHaveText(/^truncated: \d+\.\d KB dropped$/);
  // The long stdout is folded until asked.
  await terminal.getByRole('button', { name: /Show all/ }).click();
  await expect(terminal.getByRole('button', { name: 'Show less' })).toBeVisible();

  await terminal.getByRole('button', { name: 'Show less' }).click();
  await shootAtWidths(page, card, 'terminal');
  console.log(`screenshots in ${SHOTS}`);
});

test('a command that hits its timeout shows "timed out", not done, with stdout and stderr apart', async ({
  page,
  syncServer,
  pairedRunner,
}) => {
  await pairedRunner({}, ALLOW_ALL);
  const card = await runApprovedCommand(page, syncServer.url, {
    title: 'Timeout',
    prompt: 'please outlast the timeout',
    answer: 'It timed out.',
  });
  await expect(card.getByTestId('tool-status')).toHaveText('timed out');
  await expect(card).toHaveClass(/status-timed-out/);
  await card.locator('summary').click();
  await expect(card.getByTestId('terminal-state')).toHaveText('timed out');
  await expect(card.getByTestId('terminal-footer')).toContainText('after the 2.0 s limit');
  // stdout and stderr apart (small outputs: both are kept whole; past the cap the streams race for room).
  await expect(card.getByTestId('terminal-stdout')).toHaveText('going-to-sleep\n');
  await expect(card.getByTestId('terminal-stderr')).toHaveText('sleepy-on-stderr\n');
  await shootAtWidths(page, card, 'timeout');
});

test('an edit and an overwrite show as diffs against what was there', async ({ page, syncServer, pairedRunner }) => {
  await pairedRunner({ 'hello.txt': 'Hello, world\n', 'notes.txt': 'one\ntwo\nthree\n' }, ALLOW_ALL);
  await openNewSession(page, syncServer.url, 'coder', 'Diffs');
  await sendPrompt(page, 'please change the greeting');
  await expect(assistantMessages(page).last()).toContainText('Both changed.', { timeout: 15_000 });

  const edit = page.getByTestId('tool-card').filter({ hasText: 'edit_file' });
  await edit.locator('summary').click();
  await expect(edit.getByTestId('diff-remove')).toHaveText(['-Hello, world']);
  await expect(edit.getByTestId('diff-add')).toHaveText(['+Hi there, world']);

  const write = page.getByTestId('tool-card').filter({ hasText: 'write_file' });
  await write.locator('summary').click();
  await expect(write.getByTestId('diff-remove')).toHaveText(['-two']);
  await expect(write.getByTestId('diff-add')).toHaveText(['+2']);
  await expect(write.getByTestId('diff-context')).toHaveText([' one', ' three']);

  await shootAtWidths(page, page.getByTestId('messages'), 'diffs');
});

test('a message over 100 KB asks before it is sent, and shows folded once sent', async ({
  page,
  syncServer,
  model,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Big paste');
  const big = `${'log line with some words in it\n'.repeat(4000)}the end`;
  const box = page.getByTestId('composer-input');
  // As a paste lands: the whole text in one input event (typing 120 KB key by key would take minutes).
  await box.evaluate((el, text) => {
    const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
    setter?.call(el, text);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, big);
  await box.press('Enter');
  const warning = page.getByTestId('send-warning');
  await expect(warning).toContainText('This message is 121.1 KB');
  // Nothing went out: no user message, and the text is still in the box.
  await expect(page.locator('[data-testid="message"][data-role="user"]')).toHaveCount(0);
  await expect(box).toHaveValue(big);

  await warning.getByRole('button', { name: 'Send anyway' }).click();
  const sent = page.locator('[data-testid="message"][data-role="user"]');
  await expect(sent).toHaveCount(1);
  await expect(warning).toHaveCount(0);
  await expect(sent.getByRole('button', { name: /Show all \(4,001 lines/ })).toBeVisible();
  await expect(sent.getByTestId('message-text')).not.toContainText('the end');
});
