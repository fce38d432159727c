// Test fixtures: a fresh sync server per test, and helpers that drive the app as a user would.
import { test as base, expect, type Page } from '@playwright/test';
import { startTestServer, type TestServer } from './sync-server.ts';

export const test = base.extend<{ syncServer: TestServer }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
  syncServer: async ({}, use) => {
    const server = await startTestServer();
    await use(server);
    await server.dispose();
  },
});

export { expect };

/** Opens the app as the local server hands it out (token in the fragment) and waits for the list. */
export async function openApp(page: Page, server: TestServer): Promise<void> {
  await page.goto(server.appUrl);
  await expect(page.getByTestId('new-session')).toBeVisible();
}

/** Creates a session through the UI with the given title; returns its id. */
export async function createSessionInUi(page: Page, title: string): Promise<string> {
  await page.getByTestId('new-session').click();
  const input = page.getByRole('textbox', { name: 'Session title' });
  await expect(input).toBeFocused();
  await input.fill(title);
  await input.press('Enter');
  const row = page.getByTestId('session-row').filter({ hasText: title });
  await expect(row).toBeVisible();
  const id = await row.getAttribute('data-session-id');
  if (!id) throw new Error('session row has no id');
  return id;
}

/** Waits until the service worker controls the page (the app shell is then precached). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none'), { timeout: 15_000 })
    .toBe('activated');
}
