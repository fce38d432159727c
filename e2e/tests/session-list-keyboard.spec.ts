// The session list works from the keyboard: `n` new, `/` search, arrows + Enter, Delete and `a`
// with undo (`u`), Escape back from a session.
import { expect, openApp, sessionRow, test } from '../harness/fixtures.ts';

test('create, search, open, delete and archive with undo, all from the keyboard', async ({ page, syncServer }) => {
  await openApp(page, syncServer);
  const title = page.getByRole('textbox', { name: 'Session title' });
  for (const name of ['Kb alpha', 'Kb beta', 'Kb gamma']) {
    // `n` opens the new session with the cursor in its composer; Escape goes back, where it is the first row.
    await page.keyboard.press('n');
    await expect(page.getByTestId('composer-input')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('new-session')).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('session-row').first()).toBeFocused();
    await page.keyboard.press('r');
    await expect(title).toBeFocused();
    await title.fill(name);
    await title.press('Enter');
    await expect(sessionRow(page, name)).toBeVisible();
  }
  const rows = page.getByTestId('session-row').filter({ hasText: /^Kb / });
  await expect(rows.first()).toContainText('Kb gamma');

  await page.keyboard.press('/');
  const search = page.getByRole('searchbox', { name: 'Search sessions by title' });
  await expect(search).toBeFocused();
  await search.fill('kb BET');
  await expect(page.getByTestId('session-row')).toHaveCount(1);
  await expect(page.getByTestId('session-row')).toContainText('Kb beta');
  await search.press('Enter');
  await expect(page.getByTestId('session-title')).toHaveText('Kb beta');
  await page.keyboard.press('Escape');
  await expect(sessionRow(page, 'Kb alpha')).toBeVisible();

  await sessionRow(page, 'Kb alpha').focus();
  await page.keyboard.press('Delete');
  await expect(sessionRow(page, 'Kb alpha')).toHaveCount(0);
  await expect(page.getByTestId('undo-toast')).toContainText('Deleted “Kb alpha”');
  await page.keyboard.press('u');
  await expect(sessionRow(page, 'Kb alpha')).toBeVisible();

  await sessionRow(page, 'Kb beta').focus();
  await page.keyboard.press('ArrowDown');
  await expect(sessionRow(page, 'Kb alpha')).toBeFocused();
  await page.keyboard.press('a');
  await expect(sessionRow(page, 'Kb alpha')).toHaveCount(0);
  await page.getByLabel('Archived').check();
  await expect(sessionRow(page, 'Kb alpha')).toContainText('archived');
  await page.getByLabel('Archived').uncheck();

  await page.reload();
  await expect(sessionRow(page, 'Kb gamma')).toBeVisible();
  await expect(sessionRow(page, 'Kb alpha')).toHaveCount(0);
});
