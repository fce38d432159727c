// When IndexedDB cannot be used, the app says so in words (never a blank page).
import { expect, test } from '../harness/fixtures.ts';

test('a failing IndexedDB shows a clear storage error', async ({ page, syncServer }) => {
  await page.addInitScript(() => {
    IDBFactory.prototype.open = function open(): IDBOpenDBRequest {
      throw new DOMException('The user denied permission to access the database.', 'UnknownError');
    };
  });
  await page.goto(syncServer.appUrl);
  const screen = page.getByTestId('storage-error');
  await expect(screen).toBeVisible();
  await expect(screen).toContainText('can’t use this browser’s storage');
  await expect(screen.getByRole('button', { name: 'Reload' })).toBeVisible();
});

test('a database that never opens (blocked) ends on the error screen too', async ({ page, syncServer }) => {
  await page.clock.install();
  await page.addInitScript(() => {
    // An open request that never fires success nor error: what a blocked upgrade looks like.
    IDBFactory.prototype.open = function open(): IDBOpenDBRequest {
      return new EventTarget() as unknown as IDBOpenDBRequest;
    };
  });
  await page.goto(syncServer.appUrl);
  await page.clock.runFor(11_000);
  await expect(page.getByTestId('storage-error')).toContainText('timed out');
});
