// Installable PWA: Chromium's own installability check has nothing to say, and the service worker
// controls the page. Needs a persistent (non-incognito) profile: a normal Playwright context is
// incognito, which Chromium reports as `in-incognito`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../harness/browser.ts';
import { expect, openApp, test, waitForServiceWorker } from '../harness/fixtures.ts';

test('the app is installable and its service worker controls the page', async ({ syncServer }) => {
  const profile = await mkdtemp(join(tmpdir(), 'boocode-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await openApp(page, syncServer);
    await waitForServiceWorker(page);

    const manifest = await (await page.request.get(`${syncServer.url}/manifest.webmanifest`)).json();
    expect(manifest).toMatchObject({ name: 'BooCode', short_name: 'BooCode', display: 'standalone', start_url: '/' });
    expect(manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes}/${i.purpose}`)).toEqual(
      expect.arrayContaining(['192x192/any', '512x512/any', '512x512/maskable']),
    );

    const cdp = await context.newCDPSession(page);
    await expect
      .poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors, { timeout: 10_000 })
      .toEqual([]);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});
