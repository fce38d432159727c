// The trace viewer in real Chromium against the real sync server: a recorded session's spans render in
// tree order with bars proportional to their durations; a live span appears, grows and closes; an
// interrupted span says so.
import { sessionDocName } from '@boocode/shared/doc/names';
import { closeSpan, openSpan } from '@boocode/shared/doc/spans';
import type { Page } from '@playwright/test';
import { segment, writeSpans } from '../bench/traces-seed.ts';
import { expect, openApp, test } from '../harness/fixtures.ts';
import { editServerDoc, seedSession } from '../harness/server-docs.ts';

async function openPane(page: Page, url: string, sessionId: string, pane: string) {
  await page.goto(`${url}/s/${sessionId}?pane=${pane}`);
  await expect(page.getByTestId('session-sync-status')).toHaveAttribute('data-status', 'synced', { timeout: 10_000 });
}

function frames(page: Page, n: number): Promise<void> {
  return page.evaluate(
    (count) =>
      new Promise<void>((resolve) => {
        let left = count;
        const next = () => (--left <= 0 ? resolve() : requestAnimationFrame(next));
        requestAnimationFrame(next);
      }),
    n,
  );
}

async function barBox(page: Page, spanId: string) {
  const box = await page.locator(`[data-span-id="${spanId}"] [data-testid="span-bar"]`).boundingBox();
  if (!box) throw new Error(`no bar for ${spanId}`);
  return box;
}

test('the waterfall shows a recorded session in tree order, nested, with proportional bars', async ({
  page,
  syncServer,
}) => {
  await openApp(page, syncServer);
  const id = await seedSession(syncServer, 'Recorded trace', [
    { role: 'user', text: 'Find the flaky test' },
    { role: 'assistant', text: 'Looking at the test files.' },
  ]);
  const T = Date.now() - 60_000;
  const usage = { reported: true, prompt: 1200, completion: 300, reasoning: 80, cacheHit: 1000, cacheMiss: 200 };
  await writeSpans(syncServer, id, [
    {
      id: 'spn_a',
      kind: 'model',
      name: 'deepseek-chat',
      model: 'deepseek-chat',
      startedAt: T,
      endedAt: T + 2000,
      status: 'ok',
      usage,
      segments: [segment('system', 500, 'h1')],
    },
    { id: 'spn_s', kind: 'subagent', name: 'explore', startedAt: T + 2000, endedAt: T + 8000, status: 'ok' },
    {
      id: 'spn_s1',
      parentId: 'spn_s',
      kind: 'model',
      name: 'deepseek-chat',
      startedAt: T + 2100,
      endedAt: T + 4100,
      status: 'ok',
    },
    {
      id: 'spn_s2',
      parentId: 'spn_s',
      kind: 'tool',
      name: 'read_file',
      startedAt: T + 4200,
      endedAt: T + 5200,
      status: 'ok',
      input: { path: 'src/flaky.test.ts' },
      output: 'x'.repeat(5000),
    },
    {
      id: 'spn_c',
      kind: 'tool',
      name: 'grep',
      startedAt: T + 3000,
      endedAt: T + 3500,
      status: 'error',
      error: { code: 'EXIT_1', message: 'no match' },
    },
    {
      id: 'spn_i',
      kind: 'tool',
      name: 'run_command',
      startedAt: T + 9000,
      endedAt: T + 10_000,
      status: 'interrupted',
      input: { cmd: 'npm test' },
    },
  ]);

  await openPane(page, syncServer.url, id, 'traces');
  const rows = page.getByTestId('span-row');
  await expect(rows).toHaveCount(6);
  // Children right under their parent, siblings by start: the root tool that started during the subagent
  // comes after the subagent's subtree.
  const order = await rows.evaluateAll((els) =>
    els.map((e) => [e.getAttribute('data-span-id'), e.getAttribute('data-depth')]),
  );
  expect(order).toEqual([
    ['spn_a', '0'],
    ['spn_s', '0'],
    ['spn_s1', '1'],
    ['spn_s2', '1'],
    ['spn_c', '0'],
    ['spn_i', '0'],
  ]);

  // Token breakdown and cost for the model call.
  const a = page.locator('[data-span-id="spn_a"]');
  await expect(a.getByTestId('span-tokens')).toContainText('in 1.2k');
  await expect(a.getByTestId('span-tokens')).toContainText('hit 1.0k');
  await expect(a.getByTestId('span-tokens')).toContainText('miss 200');
  await expect(a.getByTestId('span-tokens')).toContainText('reasoning 80');
  await expect(a.getByTestId('span-tokens')).toContainText('$');

  // Outcomes are marked.
  await expect(page.locator('[data-span-id="spn_i"]')).toHaveAttribute('data-status', 'interrupted');
  await expect(page.locator('[data-span-id="spn_i"]').getByTestId('span-status')).toHaveText('interrupted');
  await expect(page.locator('[data-span-id="spn_c"]').getByTestId('span-status')).toHaveText('failed');

  // Bars on one axis, in full screen for precision: widths and offsets proportional to time.
  await page.getByTestId('trace-fullscreen').click();
  const [ba, bs, bs1, bs2, bi] = await Promise.all(
    ['spn_a', 'spn_s', 'spn_s1', 'spn_s2', 'spn_i'].map((s) => barBox(page, s)),
  );
  const pxPerMs = ba!.width / 2000;
  expect(bs!.width / pxPerMs).toBeGreaterThan(6000 * 0.98);
  expect(bs!.width / pxPerMs).toBeLessThan(6000 * 1.02);
  expect(bs1!.width / bs2!.width).toBeCloseTo(2, 1);
  expect((bs1!.x - ba!.x) / pxPerMs).toBeCloseTo(2100, -1);
  expect((bi!.x + bi!.width - ba!.x) / pxPerMs).toBeCloseTo(10_000, -1);

  // Keyboard: arrows move, Enter expands to input/output with long text folded.
  await page.getByTestId('span-tree').focus();
  // The turn's row comes first, then its spans.
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
  await expect(page.locator('[data-span-id="spn_s2"]')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  const details = page.locator('[data-span-id="spn_s2"]').getByTestId('span-details');
  await expect(details).toContainText('src/flaky.test.ts');
  await expect(details.getByRole('button', { name: /Show all/ })).toBeVisible();

  // Esc leaves full screen and does not leave the session.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('trace-fullscreen')).toHaveAttribute('aria-pressed', 'false');
  await expect(page).toHaveURL(new RegExp(`/s/${id}`));

  // Filters: by outcome, and search in inputs.
  await page.getByLabel('Filter by outcome').selectOption('interrupted');
  await expect(rows).toHaveCount(1);
  await page.getByLabel('Filter by outcome').selectOption('');
  await page.getByLabel('Search spans').fill('flaky.test');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-span-id', 'spn_s2');
});

test('a live span appears, its bar grows while open, and it closes', async ({ page, syncServer }) => {
  await openApp(page, syncServer);
  const id = await seedSession(syncServer, 'Live trace', [{ role: 'user', text: 'Run the tests' }]);
  const T = Date.now() - 3000;
  await writeSpans(syncServer, id, [
    { id: 'spn_done', kind: 'model', name: 'deepseek-chat', startedAt: T, endedAt: T + 1000, status: 'ok' },
  ]);
  await openPane(page, syncServer.url, id, 'traces');
  await expect(page.getByTestId('span-row')).toHaveCount(1);

  await editServerDoc(syncServer, sessionDocName(id), (doc) => {
    openSpan(doc, {
      id: 'spn_live',
      kind: 'tool',
      name: 'run_command',
      // The finished span's turn: each turn is on its own time axis.
      turn: 1,
      startedAt: Date.now(),
      input: { cmd: 'npm test' },
    });
  });
  const live = page.locator('[data-span-id="spn_live"]');
  await expect(live).toHaveAttribute('data-status', 'open');
  await expect(live.getByTestId('span-status')).toHaveText('running');
  const w0 = (await barBox(page, 'spn_live')).width;
  await expect.poll(async () => (await barBox(page, 'spn_live')).width, { timeout: 5000 }).toBeGreaterThan(w0 + 10);
  // The finished span's share of the axis shrinks as the live one grows.
  const doneWidth = (await barBox(page, 'spn_done')).width;
  await expect.poll(async () => (await barBox(page, 'spn_done')).width).toBeLessThan(doneWidth);

  await editServerDoc(syncServer, sessionDocName(id), (doc) => {
    closeSpan(doc, 'spn_live', { status: 'ok', endedAt: Date.now(), output: 'all tests passed' });
  });
  await expect(live).toHaveAttribute('data-status', 'ok');
  await expect(live.getByTestId('span-status')).toHaveCount(0);
  const closed = (await barBox(page, 'spn_live')).width;
  // Closed: nothing grows any more, however many frames pass.
  await frames(page, 20);
  expect((await barBox(page, 'spn_live')).width).toBeCloseTo(closed, 0);
});

test('a row jumps to its message in the chat, and back to the row', async ({ page, syncServer }) => {
  await openApp(page, syncServer);
  const id = await seedSession(syncServer, 'Jump to chat', [
    { role: 'user', text: 'Explain the cache' },
    { role: 'assistant', text: 'The prompt prefix is cached by the provider.' },
  ]);
  await openPane(page, syncServer.url, id, 'traces');
  const assistant = page.getByTestId('message').nth(1);
  const messageId = await assistant.getAttribute('data-message-id');
  expect(messageId).toBeTruthy();
  const T = Date.now() - 5000;
  await writeSpans(syncServer, id, [
    { id: 'spn_j1', kind: 'model', name: 'deepseek-chat', startedAt: T, endedAt: T + 900, status: 'ok' },
    {
      id: 'spn_j2',
      kind: 'model',
      name: 'deepseek-chat',
      startedAt: T + 1000,
      endedAt: T + 2000,
      status: 'ok',
      messageId: messageId!,
    },
  ]);
  const row = page.locator('[data-span-id="spn_j2"]');
  await row.locator('.span-line').click();
  await row.getByRole('button', { name: 'Show message in chat' }).click();
  await expect(assistant).toHaveClass(/jump-target/);
  // Back: select another row, then return to the one we jumped from.
  await page.locator('[data-span-id="spn_j1"] .span-line').click();
  await expect(row).toHaveAttribute('aria-selected', 'false');
  await page.getByRole('button', { name: '← Back to the span' }).click();
  await expect(row).toHaveAttribute('aria-selected', 'true');
});

test('a build check that never ran reads "skipped", one that ran out of time "timed out", not "failed"', async ({
  page,
  syncServer,
}) => {
  await openApp(page, syncServer);
  const id = await seedSession(syncServer, 'Checks', [{ role: 'user', text: 'Edit the file' }]);
  const T = Date.now() - 10_000;
  const check = (sid: string, code: string, message: string) => ({
    id: sid,
    kind: 'autofix' as const,
    name: 'build',
    turn: 1,
    startedAt: T,
    endedAt: T + 100,
    status: 'error' as const,
    error: { code, message },
  });
  await writeSpans(syncServer, id, [
    check('spn_skip', 'APPROVAL_REQUIRED', 'The build command needs approval.'),
    check('spn_slow', 'BUILD_TIMED_OUT', 'The build check timed out.'),
    check('spn_fail', 'BUILD_FAILED', 'The build check failed (exit code 1).'),
  ]);
  await openPane(page, syncServer.url, id, 'traces');
  await expect(page.locator('[data-span-id="spn_skip"]').getByTestId('span-status')).toHaveText('skipped');
  await expect(page.locator('[data-span-id="spn_slow"]').getByTestId('span-status')).toHaveText('timed out');
  await expect(page.locator('[data-span-id="spn_fail"]').getByTestId('span-status')).toHaveText('failed');
});
