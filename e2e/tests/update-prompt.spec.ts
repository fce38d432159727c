// A new deploy is offered, never forced: the new service worker waits until the user chooses to
// reload, and then the page runs entirely on the new version.
import { expect, openApp, test, waitForServiceWorker } from '../harness/fixtures.ts';

test('a new version is offered as a reload, and taken only when the user says so', async ({ page, syncServer }) => {
  await openApp(page, syncServer);
  await waitForServiceWorker(page);
  const firstScript = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);

  await syncServer.publishNewVersion();
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
  const prompt = page.getByTestId('update-prompt');
  await expect(prompt).toBeVisible({ timeout: 15_000 });
  // Still on the old worker until the user agrees.
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(firstScript);
  const waiting = await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
  expect(waiting).toBe(true);

  await Promise.all([
    page.waitForEvent('framenavigated'),
    prompt.getByRole('button', { name: 'Reload to update' }).click(),
  ]);
  await expect(page.getByTestId('new-session')).toBeVisible();
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  await expect
    .poll(() => page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting))
    .toBe(false);
});
