// A live turn from the chat, against the scripted model (DeepSeek-style cache accounting): the model call
// appears in the waterfall while it streams, its bar grows, it closes with its tokens; over several turns
// with a stable prefix the cache pane shows the hits rising; the timeline forks from a real turn.

import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, test } from '../harness/fixtures.ts';
import { assistantMessages, openNewSession, sendPrompt, startChatModel, useScriptedModel } from '../harness/model.ts';

let model: ScriptedModel;

test.beforeAll(async () => {
  model = await startChatModel();
});
test.afterAll(async () => {
  await model.close();
});

test('a live turn grows in the waterfall, and a stable prefix gives rising cache hits', async ({
  page,
  syncServer,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  const id = await openNewSession(page, syncServer.url, 'chat', 'Live agent trace');
  await expect(page).toHaveURL(new RegExp(`/s/${id}`));

  await sendPrompt(page, 'answer slowly please');
  const running = page.locator('[data-testid="span-row"][data-kind="model"][data-status="open"]');
  await expect(running).toHaveCount(1);
  // The only span fills the axis, so its growth shows in its latency, ticking while it streams.
  const latency = running.getByTestId('span-latency');
  const l0 = await latency.textContent();
  await expect(latency).not.toHaveText(l0 ?? '');
  await expect(running.getByTestId('span-status')).toHaveText('running');
  const first = page.getByTestId('span-row').first();
  await expect(first).toHaveAttribute('data-status', 'ok', { timeout: 15_000 });
  await expect(first.getByTestId('span-tokens')).toContainText('hit');

  const prompts = ['tell me more about the cache', 'and once more, with feeling', 'one last time then'];
  for (const text of prompts) {
    await sendPrompt(page, text);
    await expect(assistantMessages(page).last()).toContainText(text, { timeout: 10_000 });
  }
  await expect(page.locator('[data-testid="span-row"][data-kind="model"][data-status="ok"]')).toHaveCount(4);

  await page.getByRole('tab', { name: 'Cache' }).click();
  const rows = page.getByTestId('cache-row');
  await expect(rows).toHaveCount(4);
  const read = (attr: string) => rows.evaluateAll((els, a) => els.map((e) => Number(e.getAttribute(a))), attr);
  const hits = await read('data-hit-tokens');
  const rates = await read('data-hit-rate');
  // The provider caches in 64-token units of shared prefix: the cached prefix only grows, and the
  // later calls are mostly served from it.
  expect(hits[0]).toBe(0);
  for (let i = 1; i < hits.length; i++) expect(hits[i]).toBeGreaterThanOrEqual(hits[i - 1]!);
  expect(rates.at(-1)).toBeGreaterThan(0.3);
  await expect(page.getByTestId('cache-break')).toHaveCount(0);
  await expect(page.getByTestId('cache-summary')).not.toContainText('not reported');

  // The engine's turn snapshots make the timeline; forking from the second turn keeps its four messages.
  await page.getByRole('tab', { name: 'Timeline' }).click();
  const turns = page.getByTestId('timeline-turn');
  await expect(turns).toHaveCount(4);
  await expect(turns.nth(1)).toContainText('tokens');
  await turns.nth(1).getByTestId('fork-from-here').click();
  await expect(page.getByTestId('session-title')).toHaveText('Live agent trace (fork at turn 2)');
  const messages = page.getByTestId('message');
  await expect(messages).toHaveCount(5);
  await expect(messages.nth(2)).toContainText('tell me more about the cache');
  await expect(messages.nth(4)).toContainText('Forked from “Live agent trace” at turn 2');
  // The fork goes on from there: a new turn after the copied ones, answered in the fork only.
  await sendPrompt(page, 'continue in the fork');
  await expect(assistantMessages(page).last()).toContainText('continue in the fork', { timeout: 10_000 });
  await expect(messages).toHaveCount(7);
  await expect(page.getByTestId('timeline-turn')).toHaveCount(3);
  await expect(page.getByTestId('timeline-turn').last()).toContainText('Turn 3');
});
