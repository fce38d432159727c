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

test('a write that hits the storage quota replaces the app with the error, not a silent stale list', async ({
  page,
  syncServer,
}) => {
  await page.goto(syncServer.appUrl);
  await expect(page.getByTestId('new-session')).toBeVisible();
  await page.evaluate(() => {
    const quota = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    IDBObjectStore.prototype.add = quota;
    IDBObjectStore.prototype.put = quota;
  });
  const screen = page.getByTestId('storage-error');
  // Every write now fails. The click makes one, unless a background write (the upload queue, the list's
  // summaries) hit the quota first and the error screen already replaced the list: that is the behaviour too.
  await page
    .getByTestId('new-session')
    .click({ timeout: 10_000 })
    .catch(() => {});
  await expect(screen).toBeVisible();
  await expect(screen).toContainText('run out of storage space');
});

test('a schema upgrade from a newer tab asks this tab to reload', async ({ context, syncServer }) => {
  const old = await context.newPage();
  await old.goto(syncServer.appUrl);
  await expect(old.getByTestId('new-session')).toBeVisible();
  const newer = await context.newPage();
  await newer.goto(`${syncServer.url}/settings`);
  // What a newer build's Dexie schema does on open: a higher IndexedDB version for the same database.
  await newer.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('boocode', 10_000);
        req.onsuccess = () => {
          req.result.close();
          resolve();
        };
        req.onerror = () => reject(req.error);
      }),
  );
  await expect(old.getByTestId('storage-error')).toContainText('updated in another tab');
  // The closed database makes this tab's background writes (uploads, list summaries) fail from now on, each
  // with DatabaseClosedError: a consequence, which must not replace the cause on screen (fresh-clone CI saw
  // "could not open its local database" there). One such failure, as a background write reports it:
  await old.evaluate(
    () =>
      new Promise<void>((resolve) => {
        // The app's own handler was added first, so it has run when this one does; two frames let React commit.
        window.addEventListener('unhandledrejection', () =>
          requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
        );
        const closed = new Error('Database has been closed');
        closed.name = 'DatabaseClosedError';
        void Promise.reject(closed);
      }),
  );
  await expect(old.getByTestId('storage-error')).not.toContainText('could not open');
  await expect(old.getByTestId('storage-error')).toContainText('updated in another tab');
});
