// Settings: all local data goes out as a file and comes back in on another device (merged), and
// the colour scheme can be chosen.
import { readFile } from 'node:fs/promises';
import { createSessionInUi, expect, openApp, sessionRow, test } from '../harness/fixtures.ts';

test('export all data from one device and import it on a device without sync', async ({ browser, syncServer }) => {
  const source = await browser.newContext();
  const a = await source.newPage();
  await openApp(a, syncServer);
  await createSessionInUi(a, 'Travels in a file');
  await a.getByRole('link', { name: 'Settings' }).click();
  const [download] = await Promise.all([a.waitForEvent('download'), a.getByTestId('export').click()]);
  const file = await download.path();
  const exported = JSON.parse(await readFile(file, 'utf8'));
  expect(exported.format).toBe('boocode-export');
  expect(JSON.stringify(exported.settings)).not.toContain(syncServer.token);

  // A second device that was never given a token: local only, and it says so.
  const target = await browser.newContext();
  const b = await target.newPage();
  await b.goto(`${syncServer.url}/settings`);
  await expect(b.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'local');
  await b.getByTestId('import').setInputFiles(file);
  await expect(b.getByTestId('data-note')).toContainText('Imported');
  await b.getByRole('link', { name: 'Sessions', exact: true }).click();
  await expect(sessionRow(b, 'Travels in a file')).toBeVisible();

  await source.close();
  await target.close();
});

test('the colour scheme setting overrides the system one', async ({ page, syncServer }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openApp(page, syncServer);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByTestId('theme-select').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(22, 24, 28)');
});
