// Search across sessions in real Chromium against the real sync server: two chat sessions answered by
// the scripted model are both found by a word of their prompts from the Search page (reached from the
// top bar with the keyboard), the charts draw, and a result opens its session with that span selected
// in the traces pane. A device with no sync server is told so in words. Screenshots at 1280 and 360 px
// go to e2e/screenshots/ (not compared automatically).
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import type { Page } from '@playwright/test';
import { writeSpans } from '../bench/traces-seed.ts';
import { expect, openApp, test } from '../harness/fixtures.ts';
import { assistantMessages, openNewSession, sendPrompt, startChatModel, useScriptedModel } from '../harness/model.ts';
import { seedSession } from '../harness/server-docs.ts';

const OUT = fileURLToPath(new URL('../screenshots/', import.meta.url));
const WORD = 'quokka7search';

/** axe-core's serious and critical findings on the page as it is now. */
async function seriousFindings(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} ${n.target.join(' ')}: ${n.failureSummary}`));
}

let model: ScriptedModel;
test.beforeAll(async () => {
  model = await startChatModel();
});
test.afterAll(async () => {
  await model?.close();
});

test('finds spans of two sessions and opens one at its span', async ({ page, syncServer }) => {
  test.setTimeout(120_000);
  await openApp(page, syncServer);
  await useScriptedModel(page, syncServer.url, model);
  const ids: string[] = [];
  for (const title of ['Search one', 'Search two']) {
    ids.push(await openNewSession(page, syncServer.url, 'chat', title));
    await sendPrompt(page, `${WORD} ${title.toLowerCase()}`);
    await expect(assistantMessages(page).last()).toHaveAttribute('class', /status-done/, { timeout: 20_000 });
    await expect(page.getByTestId('session-sync-status')).toHaveAttribute('data-status', 'synced', {
      timeout: 15_000,
    });
  }

  // Tool calls from another device, for the tool charts.
  const tools = await seedSession(syncServer, 'Tool history', [{ role: 'user', text: 'build it' }]);
  const T = Date.now() - 3_600_000;
  await writeSpans(syncServer, tools, [
    { id: 'spn_t1', kind: 'tool', name: 'run_command', startedAt: T, endedAt: T + 4000, status: 'ok' },
    { id: 'spn_t2', kind: 'tool', name: 'run_command', startedAt: T + 5000, endedAt: T + 5200, status: 'error' },
    { id: 'spn_t3', kind: 'tool', name: 'read_file', startedAt: T + 6000, endedAt: T + 6050, status: 'ok' },
  ]);

  // From the top bar, with the keyboard.
  await page.goto(`${syncServer.url}/`);
  const nav = page.getByRole('navigation').getByRole('link', { name: 'Search' });
  await nav.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Search across sessions' })).toBeVisible();

  const text = page.getByRole('searchbox', { name: 'Text' });
  await text.fill(WORD);
  await text.press('Enter');
  // The projection runs as the docs change: poll the search until both sessions' model calls are found.
  const hits = page.getByTestId('search-hit');
  await expect(async () => {
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(hits).toHaveCount(2, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  // Newest first, each named by its session's title, with the matched text.
  await expect(hits.nth(0)).toContainText('Search two');
  await expect(hits.nth(1)).toContainText('Search one');
  await expect(hits.nth(1)).toContainText(`${WORD} search one`);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${WORD}`));

  await expect(page.getByTestId('span-charts')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('chart-cost').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('chart-cost')).toContainText('scripted-deepseek');
  // The tool charts fill in once the seeded session is projected (the figures come with the page).
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('chart-failing')).toContainText('run_command', { timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId('chart-failing').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('chart-slowest')).toContainText('read_file');

  // Tall viewports: the page scrolls inside the app's frame, so a full-page shot would stop at the fold.
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.screenshot({ path: `${OUT}search-1280.png` });
  expect(await seriousFindings(page)).toEqual([]);
  await page.setViewportSize({ width: 360, height: 2600 });
  await expect(hits.first()).toBeVisible();
  await page.screenshot({ path: `${OUT}search-360.png` });
  expect(await seriousFindings(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${OUT}search-360-dark.png` });
  expect(await seriousFindings(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });

  // A result opens its session at the span: the traces pane shows it selected.
  await hits.nth(1).getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/s/${ids[0]}\\?`));
  const spanId = new URL(page.url()).searchParams.get('span');
  expect(spanId).toMatch(/^spn_/);
  await expect(page.locator(`[data-testid="span-row"][data-span-id="${spanId}"]`)).toHaveAttribute(
    'aria-selected',
    'true',
    { timeout: 15_000 },
  );
});

test('a device with no sync server says the search needs one', async ({ page, syncServer }) => {
  // Opened without the token in the address: this device has no server to ask.
  await page.goto(`${syncServer.url}/search`);
  await expect(page.getByTestId('search-local-only')).toContainText('No sync server on this device');
  await expect(page.getByRole('link', { name: 'Set up a sync server in Settings' })).toBeVisible();
});

test('a range with nothing in it says so, for the spans and for the charts', async ({ page, syncServer }) => {
  await openApp(page, syncServer);
  await page.goto(`${syncServer.url}/search?from=2001-01-01&to=2001-01-02`);
  await expect(page.getByTestId('search-empty')).toContainText('No span matches');
  await expect(page.getByTestId('charts-empty')).toContainText('No model or tool calls in this range');
  await expect(page.getByText('Days 2001-01-01 to 2001-01-02 (UTC), every session.')).toBeVisible();
});
