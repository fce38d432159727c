// Test fixtures: a fresh sync server per test, and helpers that drive the app as a user would.
import { test as base, expect, type Page } from '@playwright/test';
import { startTestServer, type TestServer } from './sync-server.ts';

/**
 * One real sync server per worker (a fresh embedded database costs seconds to create; a test's
 * browser context is always fresh, so tests share the server and use titles of their own).
 * A test may stop the server; the next one finds it running again on the same port.
 */
export const test = base.extend<{ syncServer: TestServer }, { workerSyncServer: TestServer }>({
  workerSyncServer: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      const server = await startTestServer();
      await use(server);
      await server.dispose();
    },
    { scope: 'worker' },
  ],
  syncServer: async ({ workerSyncServer }, use) => {
    await workerSyncServer.restart();
    await use(workerSyncServer);
    await workerSyncServer.restart();
  },
});

export { expect };

/** Opens the app as the local server hands it out (token in the fragment) and waits for the list. */
export async function openApp(page: Page, server: TestServer): Promise<void> {
  await page.goto(server.appUrl);
  await expect(page.getByTestId('new-session')).toBeVisible();
}

/**
 * Creates a session through the UI as a user would: New session opens it with the cursor in the composer;
 * back on the list, `r` on its row names it. Ends on the list; returns the session's id.
 */
export async function createSessionInUi(page: Page, title: string, kind: 'chat' | 'coder' = 'chat'): Promise<string> {
  await page.getByTestId(kind === 'coder' ? 'new-coder-session' : 'new-session').click();
  // Opening the new session loads its view's chunk and doc; under load (or offline) that takes a few seconds.
  await expect(page.getByTestId('composer-input')).toBeFocused({ timeout: 15_000 });
  const id = new URL(page.url()).pathname.split('/').pop();
  if (!id?.startsWith('ses_')) throw new Error(`a new session did not open: ${page.url()}`);
  await page.getByTitle('Back to sessions (Esc)').click();
  const row = page.locator(`[data-testid="session-row"][data-session-id="${id}"]`);
  await row.focus();
  await row.press('r');
  const input = page.getByRole('textbox', { name: 'Session title' });
  await expect(input).toBeFocused();
  await input.fill(title);
  await input.press('Enter');
  await expect(row).toContainText(title);
  return id;
}

/**
 * Waits until the service worker controls the page (the app shell is then precached). Installing precaches
 * every chunk (the workflow editor's and QuickJS's too), which under load takes longer than 15 s.
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  const info = base.info();
  info.setTimeout(info.timeout + 30_000);
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none'), { timeout: 45_000 })
    .toBe('activated');
}

/** A session row in the list, by title. */
export function sessionRow(page: Page, title: string) {
  return page.getByTestId('session-row').filter({ hasText: title });
}

/** Renames a session from the list with the keyboard (focus the row, `r`, type, Enter). */
export async function renameInUi(page: Page, from: string, to: string): Promise<void> {
  const row = sessionRow(page, from);
  await row.focus();
  await row.press('r');
  const input = page.getByRole('textbox', { name: 'Session title' });
  await expect(input).toBeFocused();
  await input.fill(to);
  await input.press('Enter');
  await expect(sessionRow(page, to)).toBeVisible();
}
