// Two browser contexts are two devices: they share nothing but the sync server. Both converge,
// also after one of them edits offline and comes back.
import { createSessionInUi, expect, openApp, renameInUi, sessionRow, test } from '../harness/fixtures.ts';
import { seedSession } from '../harness/server-docs.ts';

test('two devices converge through the server, also after one edits offline', async ({ browser, syncServer }) => {
  const deviceA = await browser.newContext();
  const deviceB = await browser.newContext();
  const a = await deviceA.newPage();
  const b = await deviceB.newPage();
  await openApp(a, syncServer);
  await openApp(b, syncServer);

  await createSessionInUi(a, 'Made on device A');
  await expect(sessionRow(b, 'Made on device A')).toBeVisible();
  await createSessionInUi(b, 'Made on device B');
  await expect(sessionRow(a, 'Made on device B')).toBeVisible();

  await deviceA.setOffline(true);
  await expect(a.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'offline');
  await renameInUi(a, 'Made on device A', 'Renamed offline on A');
  await renameInUi(b, 'Made on device B', 'Renamed on B meanwhile');
  await expect(sessionRow(b, 'Made on device A')).toBeVisible();

  await deviceA.setOffline(false);
  for (const page of [a, b]) {
    await expect(sessionRow(page, 'Renamed offline on A')).toBeVisible({ timeout: 10_000 });
    await expect(sessionRow(page, 'Renamed on B meanwhile')).toBeVisible();
    await expect(page.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'synced');
  }

  // A session written by a third peer (through the doc accessors) shows on a device with its messages.
  const seeded = await seedSession(syncServer, 'Written by another peer', [
    { role: 'user', text: 'Why does the build fail on CI only?' },
    { role: 'assistant', text: 'The CI image has Node 20; `fs.glob` needs Node 22.' },
  ]);
  await b.goto(`${syncServer.url}/s/${seeded}`);
  await expect(b.getByTestId('message')).toHaveCount(2);
  await expect(b.getByTestId('message').nth(1)).toContainText('fs.glob');
  await expect(b.getByTestId('session-sync-status')).toHaveAttribute('data-status', 'synced');

  await deviceA.close();
  await deviceB.close();
});

test('a wrong token is shown as refused, not as offline', async ({ page, syncServer }) => {
  await page.goto(`${syncServer.url}/#token=not-the-token`);
  await expect(page.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'refused');
  await expect(page.getByTestId('global-sync-status')).toContainText('check the token');
});
