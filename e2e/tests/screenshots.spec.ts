// Screenshots of the session list and a session in light and dark, for people to look at
// (e2e/screenshots/, not compared automatically).
import { fileURLToPath } from 'node:url';
import { expect, openApp, test } from '../harness/fixtures.ts';
import { seedSession } from '../harness/server-docs.ts';

const OUT = fileURLToPath(new URL('../screenshots/', import.meta.url));

test('screenshots: session list and a session, light and dark', async ({ page, syncServer }) => {
  await page.setViewportSize({ width: 1280, height: 760 });
  await seedSession(syncServer, 'Refactor the sync status badge', [{ role: 'user', text: 'Make it smaller.' }]);
  await seedSession(syncServer, 'Investigate slow PGlite start-up in e2e', [
    { role: 'user', text: 'Why does each spec take six seconds before the first page loads?' },
  ]);
  const id = await seedSession(syncServer, 'Fix the flaky offline reload test', [
    { role: 'user', text: 'The offline reload test fails about one run in ten. Can you find out why?' },
    {
      role: 'assistant',
      text: 'The page reloads before the service worker has taken control, so the reload goes to the network.\n\nI will wait for `navigator.serviceWorker.controller` before going offline.',
      reasoning: 'The failure only happens on the first run of a fresh profile…',
    },
    { role: 'tool', text: '$ npx playwright test sessions-offline\n  ✓ 1 passed (2.3s)' },
    { role: 'assistant', text: 'Fixed: the test now waits for the service worker before it goes offline.' },
  ]);
  await openApp(page, syncServer);
  await expect(page.getByTestId('session-row')).not.toHaveCount(0);

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${syncServer.url}/`);
    await expect(page.getByTestId('session-row').first()).toBeVisible();
    await page.getByTestId('session-row').nth(1).focus();
    await expect(page.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'synced');
    await page.screenshot({ path: `${OUT}session-list-${scheme}.png` });

    await page.goto(`${syncServer.url}/s/${id}`);
    await expect(page.getByText('Fixed: the test now waits for the service worker')).toBeVisible();
    await expect(page.getByTestId('session-sync-status')).toHaveAttribute('data-status', 'synced');
    await page.screenshot({ path: `${OUT}session-${scheme}.png` });
  }
  await page.goto(`${syncServer.url}/settings`);
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await page.screenshot({ path: `${OUT}settings-dark.png` });
});

test('screenshot: the storage error screen', async ({ page, syncServer }) => {
  await page.setViewportSize({ width: 1280, height: 760 });
  await page.addInitScript(() => {
    IDBFactory.prototype.open = function open(): IDBOpenDBRequest {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await page.goto(syncServer.appUrl);
  await expect(page.getByTestId('storage-error')).toBeVisible();
  await page.screenshot({ path: `${OUT}storage-error.png` });
});
