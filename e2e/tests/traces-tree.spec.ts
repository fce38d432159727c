// The trace as a tree, with a real coder session driven by the scripted model: turn rows over their spans,
// a subagent's session nested under its span, turns that collapse and expand (mouse and keys), approval
// waits as their own segment, and zoom (fit session, zoom to a turn, drag a range, Esc back); and the subagent's
// spans after a reload straight into the pane.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, type Page } from '@playwright/test';
import { test } from '../harness/fixtures.ts';
import {
  assistantMessages,
  openNewSession,
  pairRunner,
  sendPrompt,
  startTestRunner,
  type TestRunner,
  useScriptedModel,
} from '../harness/model.ts';

const OUT = process.env.TRACES_SHOTS ?? join(tmpdir(), 'boocode-traces-shots');

let model: ScriptedModel;
test.beforeAll(async () => {
  const names = ['subagents-coder', 'chat-e2e'];
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => names.includes(s.name)) });
});
test.afterAll(async () => {
  await model.close();
});
let runner: TestRunner | undefined;
test.afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

async function box(page: Page, selector: string) {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`no box for ${selector}`);
  return b;
}

/** The "approval waiting" and "finished" toasts would cover the pane in the pictures. */
async function dismissToasts(page: Page) {
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
}

/** Approves the write_file call waiting in the open session's chat. */
async function approveWrite(page: Page) {
  const card = page.getByTestId('tool-card').filter({ hasText: 'write_file' }).last();
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card.getByTestId('tool-status')).toHaveText('done');
}

/**
 * A coder session (runner paired, scripted model) whose lead has spawned a note writer and whose write the
 * user approved in the child's session; back in the lead. A finished helper must not start a lead turn of
 * its own, so "Continue on results" is off: the session has exactly the user's turns.
 */
async function coderWithApprovedWriter(page: Page, serverUrl: string, title: string): Promise<string> {
  runner = await startTestRunner(serverUrl);
  await useScriptedModel(page, serverUrl, model);
  await pairRunner(page, serverUrl, runner);
  const id = await openNewSession(page, serverUrl, 'coder', title);
  const wake = page.getByTestId('wake-on-results-toggle');
  await wake.uncheck();
  await expect(wake).not.toBeChecked();
  await sendPrompt(page, 'spawn a note writer');
  await expect(assistantMessages(page).last()).toContainText('The writer is on it.');
  await page.getByTestId('child-approvals').getByTestId('child-approval-open').click();
  await expect(page).toHaveURL(new RegExp(`/s/(?!${id})`));
  await approveWrite(page);
  await page.getByTestId('parent-link').click();
  await expect(page.getByTestId('child-approvals')).toHaveCount(0);
  return id;
}

test('a two-turn coder session with a subagent: turns nest their spans, collapse, expand and zoom', async ({
  page,
  syncServer,
}) => {
  mkdirSync(OUT, { recursive: true });
  // Turn 1: the lead spawns a writer, whose write waits for approval in its own session.
  const id = await coderWithApprovedWriter(page, syncServer.url, 'Tree of a coder');

  // Turn 2: the lead writes a note itself, after the user's approval.
  await sendPrompt(page, 'now write a note here too');
  await approveWrite(page);
  await expect(assistantMessages(page).last()).toContainText('The write tool said');

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('tab', { name: 'Traces' }).click();
  const turns = page.getByTestId('turn-row');
  await expect(turns).toHaveCount(2);
  const turn1 = turns.nth(0);
  const turn2 = turns.nth(1);
  await expect(turn1).toHaveAttribute('aria-expanded', 'true');
  await expect(turn1).toHaveAttribute('aria-level', '1');

  // Rows nest: model calls and tool calls under their turn, the subagent under its spawn_subagent call.
  const spawn = page.locator('[data-testid="span-row"][data-kind="tool"]').filter({ hasText: 'spawn_subagent' });
  const sub = page.locator('[data-testid="span-row"][data-kind="subagent"]');
  await expect(spawn).toHaveAttribute('aria-level', '2');
  await expect(sub).toHaveAttribute('aria-level', '3');
  const order = await page
    .locator('[data-testid="turn-row"], [data-testid="span-row"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-turn') ?? e.getAttribute('data-kind')));
  expect(order[0]).toBe('1');
  expect(order.indexOf('2')).toBeGreaterThan(order.indexOf('subagent'));
  expect(order.indexOf('subagent')).toBe(order.indexOf('tool') + 1);

  // The child's spans open under the subagent span, one level deeper; its write shows the approval wait.
  await sub.getByTestId('span-child-toggle').click();
  const childRows = page.locator('[data-testid="span-row"][data-session-id]');
  await expect(childRows.first()).toHaveAttribute('aria-level', '4');
  const childWrite = childRows.filter({ hasText: 'write_file' });
  await expect(childWrite.getByTestId('span-approval-wait')).toHaveCount(1);
  // The lead's own write in turn 2 waited too.
  const leadWrite = page.locator('[data-testid="span-row"]:not([data-session-id])').filter({ hasText: 'write_file' });
  await expect(leadWrite.getByTestId('span-approval-wait')).toHaveCount(1);
  await dismissToasts(page);
  await page.screenshot({ path: join(OUT, 'trace-tree-1280.png') });

  // Collapse and expand by mouse: a closed turn shows none of its spans.
  await turn1.locator('.span-line').click();
  await expect(turn1).toHaveAttribute('aria-expanded', 'false');
  await expect(sub).toHaveCount(0);
  await expect(childRows).toHaveCount(0);
  await expect(leadWrite).toHaveCount(1);
  // And by keys: ArrowRight opens the active turn, ArrowLeft closes it, Enter toggles it.
  await expect(turn1).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(turn1).toHaveAttribute('aria-expanded', 'true');
  await expect(sub).toHaveCount(1);
  await page.keyboard.press('ArrowLeft');
  await expect(turn1).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(turn1).toHaveAttribute('aria-expanded', 'true');
  // ArrowLeft on a turn's first span moves up to the turn.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowLeft');
  await expect(turn1).toHaveAttribute('aria-selected', 'true');

  // A model call opens to its request: the prompt's segments with token counts, the messages it was sent
  // (turn 2's first call: the user's two prompts and everything between), the tools, and the response.
  const call = page.locator('[data-testid="span-row"][data-turn-key="turn:2"][data-kind="model"]').first();
  await call.locator('.span-line').click();
  const request = call.getByTestId('model-request');
  await expect(request.getByTestId('request-segments')).toContainText('system prompt');
  await expect(request.getByTestId('request-segments')).toContainText('tool schemas');
  await expect(request.getByTestId('request-segments')).toContainText('provider:');
  await request.getByTestId('request-messages').locator('summary').click();
  await expect(request.getByTestId('request-messages')).toContainText('spawn a note writer');
  await expect(request.getByTestId('request-messages')).toContainText('now write a note here too');
  await expect(request.getByTestId('request-tools')).toContainText('write_file');
  await expect(call.getByTestId('span-details')).toContainText('Response');
  await dismissToasts(page);
  await page.screenshot({ path: join(OUT, 'trace-tree-model-request.png') });
  await call.locator('.span-line').click();
  await expect(call.getByTestId('model-request')).toHaveCount(0);

  // Zoom: on the session's axis, turn 2's first span starts right of turn 1's; zoomed to turn 2, it starts
  // at the track's left edge and fills more of it; Esc goes back to each turn on its own axis.
  const turn2First = `[data-testid="span-row"][data-turn-key="turn:2"] [data-testid="span-bar"]`;
  const track = async () => box(page, `[data-testid="span-row"][data-turn-key="turn:2"] .span-track`);
  await page.getByTestId('zoom-fit-session').click();
  await expect(page.getByTestId('zoom-fit-session')).toHaveAttribute('aria-pressed', 'true');
  const onSession = await box(page, turn2First);
  const t = await track();
  expect(onSession.x - t.x).toBeGreaterThan(t.width * 0.1);
  await turn2.getByTestId('turn-zoom').click();
  await expect(page.getByTestId('zoom-label')).toContainText('Zoomed to');
  await expect.poll(async () => (await box(page, turn2First)).x - (await track()).x).toBeLessThan(3);
  expect((await box(page, turn2First)).width).toBeGreaterThan(onSession.width);
  await page.getByTestId('span-tree').focus();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('zoom-fit-turn')).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(new RegExp(`/s/${id}`));

  // A drag across the session's axis zooms to the dragged range; the reset button undoes it.
  await page.getByTestId('zoom-fit-session').click();
  const axis = await box(page, '[data-testid="trace-axis"] [data-testid="zoom-track"]');
  await page.mouse.move(axis.x + axis.width * 0.5, axis.y + axis.height / 2);
  await page.mouse.down();
  await page.mouse.move(axis.x + axis.width * 0.75, axis.y + axis.height / 2, { steps: 5 });
  await expect(page.getByTestId('zoom-selection')).toBeVisible();
  await page.mouse.move(axis.x + axis.width * 0.99, axis.y + axis.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('zoom-label')).toContainText('Zoomed to');
  await page.getByTestId('zoom-reset').click();
  await expect(page.getByTestId('zoom-fit-turn')).toHaveAttribute('aria-pressed', 'true');

  await page.setViewportSize({ width: 360, height: 760 });
  await expect(turns.first()).toBeVisible();
  await dismissToasts(page);
  await page.screenshot({ path: join(OUT, 'trace-tree-360.png') });
});

test('after a reload straight into the traces pane, a subagent span still opens its child session’s spans', async ({
  page,
  syncServer,
}) => {
  const id = await coderWithApprovedWriter(page, syncServer.url, 'Reloaded tree');

  // A full page load straight into the traces pane: the child's spans now come from this device's storage
  // alone (no sync server here), so they show only if the child's first writes were stored.
  await page.goto(`${syncServer.url}/s/${id}?pane=traces`);
  const sub = page.locator('[data-testid="span-row"][data-kind="subagent"]');
  await sub.getByTestId('span-child-toggle').click();
  await expect(sub.getByTestId('span-child-toggle')).toHaveAttribute('aria-expanded', 'true');
  const childRows = page.locator('[data-testid="span-row"][data-session-id]');
  await expect(childRows.filter({ hasText: 'write_file' })).toHaveCount(1);
  await expect(sub.getByTestId('span-child-note')).toHaveCount(0);
});
