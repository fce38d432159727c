// The runner's settings in Settings, driven as a user would against a real runner: an approval rule added
// there is enforced in a coder turn and deleting it brings the question back; the build command and the
// auto-fix rounds; a provider API key that reaches the runner and no page storage, and is removed from it.

import { expect, test } from '../harness/chat-fixtures.ts';
import { assistantMessages, openNewSession, pairRunner, sendPrompt, type TestRunner } from '../harness/model.ts';

async function runnerGet(r: TestRunner, path: string): Promise<unknown> {
  const res = await fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${r.token}` } });
  expect(res.status).toBe(200);
  return res.json();
}

test('a deny rule from settings refuses a command without asking; deleting it brings the question back', async ({
  page,
  syncServer,
  pairedRunner,
}) => {
  const runner = await pairedRunner();
  const rules = page.getByTestId('approval-rules');
  await expect(rules).toContainText('No rules yet');

  await page.getByTestId('rule-effect').selectOption('deny');
  await page.getByTestId('rule-tool').selectOption('run_command');
  await page.getByTestId('rule-command').fill('sh');
  await expect(page.getByTestId('rule-warning')).toContainText('sh with no arguments only');
  await page.getByTestId('rule-command').fill('sh *');
  await expect(page.getByTestId('rule-warning')).toHaveCount(0);
  await page.getByTestId('rule-add').click();
  const rule = rules.getByTestId('rule');
  await expect(rule).toHaveCount(1);
  await expect(rule).toContainText('deny run_command `sh *`');
  await expect(rule).toContainText('deny rules win');
  await page.getByTestId('approval-rules').screenshot({ path: 'e2e/screenshots/runner-rules-deny.png' });
  expect(await runnerGet(runner, '/approval/rules')).toEqual({
    rules: [{ effect: 'deny', tool: 'run_command', command: 'sh *' }],
  });

  await openNewSession(page, syncServer.url, 'coder', 'Denied by a rule');
  await sendPrompt(page, 'please run the slow command');
  const card = page.getByTestId('tool-card').filter({ hasText: 'run_command' });
  await expect(card.getByTestId('tool-status')).toHaveText('error');
  await expect(card).toContainText('denied by rule deny run_command `sh *`');
  await expect(assistantMessages(page).last()).toContainText('The command finished.');
  await expect(page.getByTestId('approval-card')).toHaveCount(0);

  await page.goto(`${syncServer.url}/settings`);
  await rules.getByRole('button', { name: 'Delete rule deny run_command `sh *`' }).click();
  await expect(page.getByTestId('rule-deleted')).toContainText('Deleted deny run_command `sh *`');
  await expect(rule).toHaveCount(0);
  // Undo puts it back on the runner; deleting again is what this test goes on with.
  await page.getByTestId('rule-deleted').getByRole('button', { name: 'Undo' }).click();
  await expect(rule).toHaveCount(1);
  expect(((await runnerGet(runner, '/approval/rules')) as { rules: unknown[] }).rules).toHaveLength(1);
  await rules.getByRole('button', { name: 'Delete rule deny run_command `sh *`' }).click();
  await expect(rule).toHaveCount(0);
  expect(await runnerGet(runner, '/approval/rules')).toEqual({ rules: [] });

  await openNewSession(page, syncServer.url, 'coder', 'Asks again');
  await sendPrompt(page, 'please run the slow command');
  const asked = page.getByTestId('tool-card').filter({ hasText: 'run_command' });
  await expect(asked.getByTestId('approval-card')).toBeVisible();
  await expect(asked.getByTestId('tool-status')).toHaveText('needs approval');
  await asked.getByRole('button', { name: 'Deny' }).click();
  await expect(asked.getByTestId('tool-status')).toHaveText('error');
});

test('the build command is set on the runner and the auto-fix rounds on this device', async ({
  page,
  syncServer,
  startRunner,
}) => {
  const runner = await startRunner(syncServer.url, {
    'package.json': JSON.stringify({ name: 'ws', scripts: { typecheck: 'tsc --noEmit' } }),
  });
  await pairRunner(page, syncServer.url, runner);
  const current = page.getByTestId('build-current');
  await expect(current).toContainText('npm run typecheck');
  await expect(current).toContainText('detected from package.json');
  await expect(page.getByTestId('build-approval')).toHaveAttribute('data-decision', 'ask');

  await page.getByTestId('build-command').fill('node --version && x');
  await page.getByTestId('build-save').click();
  await expect(page.getByTestId('build-error')).toContainText('runs without a shell');
  await page.getByTestId('build-command').fill('node --version');
  await page.getByTestId('build-save').click();
  await expect(current).toContainText('node --version');
  await expect(current).toContainText('set here');
  expect(await runnerGet(runner, '/build')).toEqual({
    command: { script: null, command: 'node', args: ['--version'] },
    source: 'configured',
  });

  // The check is skipped until a rule allows its command: one click adds that rule.
  await page.getByTestId('build-allow').click();
  await expect(page.getByTestId('build-approval')).toHaveAttribute('data-decision', 'allow');
  await expect(page.getByTestId('approval-rules').getByTestId('rule')).toContainText(
    'allow run_command `node --version`',
  );
  expect(await runnerGet(runner, '/approval/rules')).toEqual({
    rules: [{ effect: 'allow', tool: 'run_command', command: 'node --version' }],
  });

  const rounds = page.getByTestId('autofix-rounds');
  await expect(rounds).toHaveValue('3');
  await rounds.fill('11');
  await page.getByTestId('autofix-save').click();
  await expect(page.getByTestId('autofix-error')).toContainText('from 0 (off) to 10');
  await rounds.fill('1');
  await page.getByTestId('autofix-save').click();
  await expect(page.getByText('Saved on this device. The next turn uses it.')).toBeVisible();
  // Tall enough for the whole section, so the sticky top bar covers none of it.
  await page.setViewportSize({ width: 1100, height: 1900 });
  await page.getByTestId('runner-settings').screenshot({ path: 'e2e/screenshots/runner-settings.png' });

  await page.reload();
  await expect(page.getByTestId('autofix-rounds')).toHaveValue('1');
  await expect(page.getByTestId('build-command')).toHaveValue('node --version');
  // Cleared: back to the detected script.
  await page.getByTestId('build-command').fill('');
  await page.getByTestId('build-save').click();
  await expect(current).toContainText('detected from package.json');
  expect(await runnerGet(runner, '/build')).toMatchObject({ source: 'package.json' });
});

test('the auto-fix rounds set here are what a coder turn uses; 0 turns the check off', async ({
  page,
  syncServer,
  pairedRunner,
}) => {
  await pairedRunner({
    'package.json': JSON.stringify({ name: 'ws', scripts: { typecheck: 'node -e "process.exit(1)"' } }),
  });
  await page.getByTestId('rule-effect').selectOption('allow');
  await page.getByTestId('rule-tool').selectOption('write_file');
  await page.getByTestId('rule-add').click();
  await page.getByTestId('build-allow').click();
  await expect(page.getByTestId('build-approval')).toHaveAttribute('data-decision', 'allow');
  await page.getByTestId('autofix-rounds').fill('1');
  await page.getByTestId('autofix-save').click();
  await expect(page.getByText('Saved on this device. The next turn uses it.')).toBeVisible();

  await openNewSession(page, syncServer.url, 'coder', 'One round');
  await sendPrompt(page, 'please write a note');
  const injected = page.locator('[data-testid="message"][data-role="user"]').filter({ hasText: 'auto-fix round' });
  await expect(injected).toContainText('auto-fix round 1 of 1', { timeout: 15_000 });
  // "of 1", not the default 3: the device's limit reached the turn.
  await expect(page.getByTestId('stop')).toHaveCount(0, { timeout: 15_000 });

  await page.goto(`${syncServer.url}/settings`);
  await page.getByTestId('autofix-rounds').fill('0');
  await page.getByTestId('autofix-save').click();
  await expect(page.getByText('Saved on this device: auto-fix is off.')).toBeVisible();
  await openNewSession(page, syncServer.url, 'coder', 'Auto-fix off');
  await sendPrompt(page, 'please write a note');
  await expect(assistantMessages(page).last()).toContainText('The write tool said');
  await expect(page.getByTestId('stop')).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId('chat')).not.toContainText('auto-fix');
  await expect(page.getByTestId('chat')).not.toContainText('build check');
});

test('a provider API key goes to the runner only: it says a key is set, no page storage holds it, and Remove key takes it away', async ({
  page,
  syncServer,
  startRunner,
}) => {
  await page.goto(`${syncServer.url}/settings`);
  await page.getByTestId('model-provider').selectOption('deepseek');
  await expect(page.getByTestId('provider-key-status')).toContainText('Pair the runner first');
  await expect(page.getByTestId('rules-unpaired')).toContainText('Pair the runner first');
  await expect(page.getByTestId('build-unpaired')).toContainText('Pair the runner first');

  const runner = await startRunner(syncServer.url);
  await pairRunner(page, syncServer.url, runner);
  await page.getByTestId('model-provider').selectOption('deepseek');
  await page.getByTestId('model-save').click();
  const status = page.getByTestId('provider-key-status');
  await expect(status).toHaveText('No key for DeepSeek on the runner yet.');
  const secret = `sk-e2e-${Math.random().toString(36).slice(2)}`;
  await page.getByTestId('provider-key').fill(secret);
  await page.getByTestId('provider-key-save').click();
  await expect(status).toContainText('The runner has a key for DeepSeek');
  await expect(page.getByTestId('provider-key')).toHaveValue('');
  await page
    .locator('section[aria-labelledby="model-h"]')
    .screenshot({ path: 'e2e/screenshots/model-provider-key.png' });
  const providers = (await runnerGet(runner, '/providers')) as { providers: { id: string; hasKey: boolean }[] };
  expect(providers.providers.find((p) => p.id === 'deepseek')?.hasKey).toBe(true);
  expect(JSON.stringify(providers)).not.toContain(secret);

  await page.reload();
  await expect(page.getByTestId('provider-key-status')).toContainText('The runner has a key for DeepSeek');
  expect(await pageStorageContains(page, secret)).toEqual([]);
  // The scan does read storage: the runner token, which this device keeps, is found.
  expect(await pageStorageContains(page, runner.token)).not.toEqual([]);

  // Removing asks first; Cancel keeps the key.
  await page.getByTestId('provider-key-remove').click();
  await expect(page.getByTestId('provider-key-form')).toContainText('Remove the DeepSeek key from the runner?');
  await page.getByTestId('provider-key-remove-cancel').click();
  await expect(page.getByTestId('provider-key-remove-confirm')).toHaveCount(0);
  await expect(status).toContainText('The runner has a key for DeepSeek');
  await page.getByTestId('provider-key-remove').click();
  await page.getByTestId('provider-key-remove-confirm').click();
  await expect(status).toHaveText('No key for DeepSeek on the runner yet.');
  await expect(page.getByTestId('provider-key-form')).toContainText(
    'Removed: the runner no longer holds a key for DeepSeek.',
  );
  await expect(page.getByTestId('provider-key-remove')).toHaveCount(0);
  const after = (await runnerGet(runner, '/providers')) as { providers: { id: string; hasKey: boolean }[] };
  expect(after.providers.find((p) => p.id === 'deepseek')?.hasKey).toBe(false);
});

test('a paired runner that is not running is said in words', async ({ page, syncServer, startRunner }) => {
  const runner = await startRunner(syncServer.url);
  await pairRunner(page, syncServer.url, runner);
  await expect(page.getByTestId('approval-rules')).toContainText('No rules yet');
  await runner.close();
  await page.reload();
  await expect(page.getByTestId('approval-rules').getByRole('alert')).toContainText(
    'Could not read the rules: Could not reach the runner at http://127.0.0.1:',
  );
  await expect(page.getByTestId('build-error')).toContainText('Could not read the build command: Could not reach');
  await expect(page.getByTestId('build-current')).toHaveText('Unknown: the runner did not answer.');
  await page.getByTestId('model-provider').selectOption('openai');
  await expect(page.getByTestId('provider-key-status')).toContainText('Could not ask the runner: Could not reach');
});

/** Where in localStorage, sessionStorage or any IndexedDB store of the page `needle` appears (text or bytes). */
function pageStorageContains(page: import('@playwright/test').Page, needle: string): Promise<string[]> {
  return page.evaluate(async (needle) => {
    const hits: string[] = [];
    const decoder = new TextDecoder();
    const holds = async (value: unknown, depth = 0): Promise<boolean> => {
      if (depth > 20 || value === null || value === undefined) return false;
      if (typeof value === 'string') return value.includes(needle);
      if (value instanceof ArrayBuffer) return decoder.decode(new Uint8Array(value)).includes(needle);
      if (ArrayBuffer.isView(value))
        return decoder.decode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)).includes(needle);
      if (value instanceof Blob) return (await value.text()).includes(needle);
      if (typeof value !== 'object') return false;
      for (const v of Object.values(value as Record<string, unknown>)) if (await holds(v, depth + 1)) return true;
      return false;
    };
    for (const [name, store] of [
      ['localStorage', localStorage],
      ['sessionStorage', sessionStorage],
    ] as const) {
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i) ?? '';
        if (key.includes(needle) || (store.getItem(key) ?? '').includes(needle)) hits.push(`${name}:${key}`);
      }
    }
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(info.name as string);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      for (const storeName of Array.from(db.objectStoreNames)) {
        const rows = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        for (const row of rows) if (await holds(row)) hits.push(`indexedDB:${info.name}/${storeName}`);
      }
      db.close();
    }
    return hits;
  }, needle);
}
