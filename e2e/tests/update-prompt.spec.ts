// A new deploy is offered, never forced: the new service worker waits until the user chooses to
// reload, and then the page runs entirely on the new version. Never a half-updated mix: the build
// id in index.html's meta and the one the JS sets must agree, and every asset the page loaded must
// belong to the build they name.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createSessionInUi, expect, openApp, sessionRow, test, waitForServiceWorker } from '../harness/fixtures.ts';

/** The build the page runs, as index.html says it and as its scripts say it. */
const runningBuild = (page: Page) =>
  page.evaluate(() => ({
    html: document.querySelector<HTMLMetaElement>('meta[name="boocode-build"]')?.content,
    js: document.documentElement.dataset.buildId,
  }));

/** Every `assets/…` file this document loaded (from the network or a service worker's cache). */
const loadedAssets = (page: Page) =>
  page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => new URL(e.name).pathname.slice(1))
      .filter((p) => p.startsWith('assets/')),
  );

const servedAssets = async (clientDir: string) =>
  (await readdir(join(clientDir, 'assets'))).map((name) => `assets/${name}`);

const hasWaitingWorker = (page: Page) =>
  page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);

/** The session page needs a lazily loaded chunk, so a check there covers more than the entry's files. */
async function expectSessionPageOn(page: Page, build: string, assets: string[]) {
  await expect(page.getByTestId('session-title')).toHaveText('Update check');
  expect(await runningBuild(page)).toEqual({ html: build, js: build });
  const loaded = await loadedAssets(page);
  expect(loaded.some((p) => p.startsWith('assets/SessionView-'))).toBe(true);
  expect(loaded.filter((p) => !assets.includes(p))).toEqual([]);
}

test('a new version is offered as a reload, and taken only when the user says so', async ({ page, syncServer }) => {
  await openApp(page, syncServer);
  const id = await createSessionInUi(page, 'Update check');
  await waitForServiceWorker(page);
  const oldAssets = await servedAssets(syncServer.clientDir);
  const { html: oldBuild = '' } = await runningBuild(page);
  expect(oldBuild).not.toBe('');
  expect(await runningBuild(page)).toEqual({ html: oldBuild, js: oldBuild });
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);

  const next = await syncServer.publishNewVersion();
  const newAssets = await servedAssets(syncServer.clientDir);
  // A real new build: the id changed, and so did the names of the files that carry it.
  expect(next.oldBuildId).toBe(oldBuild);
  expect(next.removed.some((p) => p.startsWith('assets/SessionView-'))).toBe(true);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
  const prompt = page.getByTestId('update-prompt');
  await expect(prompt).toBeVisible({ timeout: 15_000 });
  expect(await hasWaitingWorker(page)).toBe(true);

  // Opening a session now loads a chunk this page has not loaded yet; the server only has the new
  // build's, so the old one must come from the old worker's precache.
  await sessionRow(page, 'Update check').getByRole('button').first().click();
  await expect(page).toHaveURL(new RegExp(`/s/${id}$`));
  await expectSessionPageOn(page, oldBuild, oldAssets);

  // A reload while the new worker waits stays wholly on the old build, and the update is offered again.
  await page.reload();
  await expectSessionPageOn(page, oldBuild, oldAssets);
  expect(await hasWaitingWorker(page)).toBe(true);
  await expect(prompt).toBeVisible({ timeout: 15_000 });

  await Promise.all([
    page.waitForEvent('framenavigated'),
    prompt.getByRole('button', { name: 'Reload to update' }).click(),
  ]);
  await expectSessionPageOn(page, next.newBuildId, newAssets);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  await expect.poll(() => hasWaitingWorker(page)).toBe(false);
});
