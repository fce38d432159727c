// Two tabs of one browser share the device's data live through IndexedDB, with no server at all.
import {
  createSessionInUi,
  expect,
  openApp,
  renameInUi,
  sessionRow,
  test,
  waitForServiceWorker,
} from '../harness/fixtures.ts';

test('two tabs see each other’s changes within a second while the sync server is stopped', async ({
  context,
  syncServer,
}) => {
  const a = await context.newPage();
  await openApp(a, syncServer);
  const id = await createSessionInUi(a, 'Tab one made this');

  const b = await context.newPage();
  await b.goto(`${syncServer.url}/`);
  await expect(sessionRow(b, 'Tab one made this')).toBeVisible();

  // A tab opened while the server is down is served by the service worker: let it install first.
  await waitForServiceWorker(a);
  await syncServer.stop();
  await expect(a.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'offline');
  await expect(b.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'offline');

  await renameInUi(a, 'Tab one made this', 'Renamed in tab one');
  await expect(sessionRow(b, 'Renamed in tab one')).toBeVisible({ timeout: 1_000 });

  await createSessionInUi(b, 'Tab two made this');
  await expect(sessionRow(a, 'Tab two made this')).toBeVisible({ timeout: 1_000 });

  // A session URL opens in another tab, from the device's own data.
  const c = await context.newPage();
  await c.goto(`${syncServer.url}/s/${id}`);
  await expect(c.getByTestId('session-title')).toHaveText('Renamed in tab one');
  await renameInUi(b, 'Renamed in tab one', 'Renamed again in tab two');
  await expect(c.getByTestId('session-title')).toHaveText('Renamed again in tab two', { timeout: 1_000 });
});
