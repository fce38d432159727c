// A child session's spans nested in its parent's trace: a span that started a subagent or a workflow agent
// opens the child's spans one level under it, on the parent's time axis, live as they stream; a child that
// is not on this device says so; and with real subagents spawned by the scripted model, a child's model call
// shows under its subagent span in the lead's trace.
import { sessionDocName } from '@boocode/shared/doc/names';
import { closeSpan, openSpan } from '@boocode/shared/doc/spans';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import type { Page } from '@playwright/test';
import { writeSpans } from '../bench/traces-seed.ts';
import { expect, openApp, test } from '../harness/fixtures.ts';
import { assistantMessages, openNewSession, sendPrompt, turnOnSubagents, useScriptedModel } from '../harness/model.ts';
import { editServerDoc, seedSession } from '../harness/server-docs.ts';

let model: ScriptedModel;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'subagents') });
});
test.afterAll(async () => {
  await model.close();
});

async function barBox(page: Page, row: string) {
  const box = await page.locator(`${row} [data-testid="span-bar"]`).first().boundingBox();
  if (!box) throw new Error(`no bar for ${row}`);
  return box;
}

const rowOf = (spanId: string) => `[data-testid="span-row"][data-span-id="${spanId}"]`;

test('a subagent span opens its child session’s spans nested under it, on one time axis, live', async ({
  page,
  syncServer,
}) => {
  await openApp(page, syncServer);
  const lead = await seedSession(syncServer, 'Lead with a recorded child', [{ role: 'user', text: 'Find the bug' }]);
  const child = await seedSession(syncServer, 'alpha', [{ role: 'user', text: 'look at parser.ts' }]);
  const T = Date.now() - 60_000;
  await writeSpans(syncServer, lead, [
    { id: 'spn_lm', kind: 'model', name: 'deepseek-chat', startedAt: T, endedAt: T + 2000, status: 'ok' },
    { id: 'spn_spawn', kind: 'tool', name: 'spawn_subagent', startedAt: T + 2000, endedAt: T + 2100, status: 'ok' },
    {
      id: 'spn_sub',
      parentId: 'spn_spawn',
      kind: 'subagent',
      name: 'alpha',
      startedAt: T + 2100,
      endedAt: T + 10_000,
      status: 'ok',
      childSessionId: child,
    },
    {
      id: 'spn_far',
      kind: 'workflow-agent',
      name: 'researcher',
      startedAt: T + 2200,
      endedAt: T + 3000,
      status: 'ok',
      childSessionId: 'ses_00000000000000_nowhere',
    },
  ]);
  // The child ran after the lead's turn ended: 6 s to 10 s on the lead's clock.
  await writeSpans(syncServer, child, [
    { id: 'spn_cm', kind: 'model', name: 'deepseek-chat', startedAt: T + 6000, endedAt: T + 8000, status: 'ok' },
    {
      id: 'spn_ct',
      parentId: 'spn_cm',
      kind: 'tool',
      name: 'read_file',
      startedAt: T + 8000,
      endedAt: T + 9000,
      status: 'ok',
      input: { path: 'src/parser.ts' },
    },
  ]);

  await page.goto(`${syncServer.url}/s/${lead}?pane=traces`);
  const rows = page.getByTestId('span-row');
  await expect(rows).toHaveCount(4);
  const sub = page.locator(rowOf('spn_sub'));
  const toggle = sub.getByTestId('span-child-toggle');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  // Spans without a child session have no such control.
  await expect(page.locator(rowOf('spn_lm')).getByTestId('span-child-toggle')).toHaveCount(0);

  // Keyboard: the control is a button, Enter on it nests the child's spans one level under the subagent.
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(rows).toHaveCount(6);
  const order = await rows.evaluateAll((els) =>
    els.map((e) => [e.getAttribute('data-span-id'), e.getAttribute('data-depth'), e.getAttribute('data-session-id')]),
  );
  expect(order).toEqual([
    ['spn_lm', '0', null],
    ['spn_spawn', '0', null],
    ['spn_sub', '1', null],
    ['spn_cm', '2', child],
    ['spn_ct', '3', child],
    ['spn_far', '0', null],
  ]);
  await expect(page.getByTestId('trace-summary')).toContainText('6 spans');

  // One axis for both sessions, in full screen for precision: the child's bars sit where it ran.
  await page.getByTestId('trace-fullscreen').click();
  const lm = await barBox(page, rowOf('spn_lm'));
  const cm = await barBox(page, rowOf('spn_cm'));
  const ct = await barBox(page, rowOf('spn_ct'));
  const pxPerMs = lm.width / 2000;
  expect((cm.x - lm.x) / pxPerMs).toBeCloseTo(6000, -2);
  expect(cm.width / pxPerMs).toBeCloseTo(2000, -2);
  expect((ct.x + ct.width - lm.x) / pxPerMs).toBeCloseTo(9000, -2);

  // Live: a span the child opens appears nested and grows; closing it stops it.
  await editServerDoc(syncServer, sessionDocName(child), (doc) => {
    openSpan(doc, { id: 'spn_clive', kind: 'model', name: 'deepseek-chat', turn: 1, startedAt: Date.now() });
  });
  const clive = page.locator(rowOf('spn_clive'));
  await expect(clive).toHaveAttribute('data-status', 'open');
  await expect(clive).toHaveAttribute('data-depth', '2');
  await expect(clive.getByTestId('span-status')).toHaveText('running');
  const latency = clive.getByTestId('span-latency');
  const l0 = await latency.textContent();
  await expect(latency).not.toHaveText(l0 ?? '');
  await editServerDoc(syncServer, sessionDocName(child), (doc) => {
    closeSpan(doc, 'spn_clive', { status: 'ok', endedAt: Date.now() });
  });
  await expect(clive).toHaveAttribute('data-status', 'ok');
  await page.screenshot({ path: 'e2e/screenshots/traces-children-axis.png' });
  await page.getByTestId('trace-fullscreen').click();

  // A child session this device has never seen (and sync has not brought) says so instead of loading forever.
  const far = page.locator(rowOf('spn_far'));
  await far.getByTestId('span-child-toggle').click();
  await expect(far.getByTestId('span-child-note')).toHaveText(
    "The agent's session is not on this device yet; its spans appear once sync reaches it.",
  );

  // The tree's own keys: ArrowLeft on the subagent row folds its child, ArrowRight opens it again.
  await page.locator(`${rowOf('spn_sub')} .span-line`).click();
  await expect(sub).toHaveAttribute('aria-selected', 'true');
  // The click opened the row's details, which keep the link to the child's own trace.
  await expect(sub.getByRole('link', { name: /Open the subagent's own trace/ })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(sub.getByTestId('span-details')).toHaveCount(0);
  await page.keyboard.press('ArrowLeft');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(rows).toHaveCount(4);
  await page.keyboard.press('ArrowRight');
  await expect(rows).toHaveCount(7);
  // ArrowLeft from a nested row moves to the span that started its session.
  await page.keyboard.press('ArrowDown');
  await expect(page.locator(rowOf('spn_cm'))).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(sub).toHaveAttribute('aria-selected', 'true');
});

test('a lead that spawned three subagents shows a child’s model call nested under its subagent span', async ({
  page,
  syncServer,
}) => {
  await useScriptedModel(page, syncServer.url, model);
  const id = await openNewSession(page, syncServer.url, 'chat', 'Lead with traced helpers');
  await turnOnSubagents(page);
  await page.goto(`${syncServer.url}/s/${id}?pane=agents`);
  await sendPrompt(page, 'spawn three helpers');
  await expect(assistantMessages(page).last()).toContainText('Three helpers are working; I will keep going.');
  const agents = page.getByTestId('agents-mine').getByTestId('agent-row');
  for (const label of ['alpha', 'beta', 'gamma'])
    await expect(agents.filter({ hasText: label }).getByTestId('agent-status')).toHaveText('done', { timeout: 20_000 });

  await page.getByRole('tab', { name: 'Traces' }).click();
  const subagents = page.locator('[data-testid="span-row"][data-kind="subagent"]');
  await expect(subagents).toHaveCount(3);
  const alpha = subagents.filter({ hasText: 'alpha' });
  const childId = await alpha.getAttribute('data-child-session-id');
  expect(childId).toMatch(/^ses_/);
  await alpha.getByTestId('span-child-toggle').click();
  await expect(alpha.getByTestId('span-child-toggle')).toHaveAttribute('aria-expanded', 'true');

  // The child's model call, one level under the subagent span (itself under spawn_subagent), right after it.
  const depth = Number(await alpha.getAttribute('data-depth'));
  const nested = page.locator(`[data-testid="span-row"][data-session-id="${childId}"]`);
  await expect(nested.first()).toHaveAttribute('data-kind', 'model');
  await expect(nested.first()).toHaveAttribute('data-depth', String(depth + 1));
  await expect(nested.first()).toHaveAttribute('data-status', 'ok');
  await expect(nested.first().getByTestId('span-tokens')).toBeVisible();
  const order = await page.getByTestId('span-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id')));
  const at = order.indexOf(await alpha.getAttribute('data-span-id'));
  expect(order[at + 1]).toBe(await nested.first().getAttribute('data-span-id'));
  // Only alpha's child is nested: the other subagents stay folded.
  await expect(page.locator('[data-testid="span-row"][data-session-id]')).toHaveCount(await nested.count());
  // The "finished" toasts would cover the pane in the picture.
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await page.screenshot({ path: 'e2e/screenshots/traces-children.png' });
});
