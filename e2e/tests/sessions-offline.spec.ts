// A session created on this device survives a reload, and the app and its sessions still show
// with the network down (service worker + IndexedDB).
import { createSessionInUi, expect, openApp, test, waitForServiceWorker } from '../harness/fixtures.ts';

test('a created session is there after a reload, and offline after another', async ({ page, context, syncServer }) => {
  await openApp(page, syncServer);
  // The token was taken out of the address bar after it was stored.
  expect(new URL(page.url()).hash).toBe('');
  const id = await createSessionInUi(page, 'Fix the flaky build');
  await expect(page.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'synced');

  await page.reload();
  await expect(page.getByTestId('session-row').filter({ hasText: 'Fix the flaky build' })).toBeVisible();

  await waitForServiceWorker(page);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('session-row').filter({ hasText: 'Fix the flaky build' })).toBeVisible();
  await expect(page.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'offline');

  await page.getByTestId('session-row').filter({ hasText: 'Fix the flaky build' }).getByRole('button').first().click();
  await expect(page).toHaveURL(new RegExp(`/s/${id}$`));
  await expect(page.getByTestId('session-title')).toHaveText('Fix the flaky build');
});
