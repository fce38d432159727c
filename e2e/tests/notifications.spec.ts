// Notifications: an event seen by several tabs of one browser is shown once, as a toast in a visible
// tab, or as one system notification (through the service worker) when no tab is in view; either
// opens the session it is about. Events are caused the way another device would: edits of the space
// doc on the server.

import { SPACE_DOC } from '@boocode/shared/doc/names';
import { putSessionEntry, type SessionIndexEntry, updateSessionEntry } from '@boocode/shared/doc/space';
import { newId } from '@boocode/shared/ids';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { startScriptedModel } from '@boocode/testkit/scripted-model/server';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, openApp, sessionRow, test, waitForServiceWorker } from '../harness/fixtures.ts';
import {
  openNewSession,
  pairRunner,
  sendPrompt,
  startChatModel,
  startTestRunner,
  useScriptedModel,
} from '../harness/model.ts';
import { editServerDoc } from '../harness/server-docs.ts';
import type { TestServer } from '../harness/sync-server.ts';

/** A hidden tab waits this long before it claims an event (HIDDEN_TAB_DELAY_MS), plus a margin. */
const CLAIM_SETTLE_MS = 2000;
const SHOTS = process.env.NOTIFY_SHOTS;

/** A parent session with one running subagent, and one that finished before any tab opened (history). */
async function seedSubagents(server: TestServer, parentTitle: string): Promise<{ parentId: string; childId: string }> {
  const now = Date.now();
  const parentId = newId('ses', now);
  const childId = newId('ses', now + 1);
  const entry = (id: string, patch: Partial<SessionIndexEntry>): SessionIndexEntry => ({
    id,
    title: id,
    kind: 'chat',
    status: 'idle',
    createdAt: now,
    updatedAt: now,
    ...patch,
  });
  await editServerDoc(server, SPACE_DOC, (doc) => {
    putSessionEntry(doc, entry(parentId, { title: parentTitle }));
    putSessionEntry(
      doc,
      entry(childId, { parentId, label: 'run the tests', title: 'run the tests', status: 'running' }),
    );
    putSessionEntry(
      doc,
      entry(newId('ses', now - 600_000), {
        parentId,
        label: 'older helper',
        title: 'older helper',
        status: 'done',
        updatedAt: now - 600_000,
      }),
    );
  });
  return { parentId, childId };
}

async function finishSubagent(server: TestServer, childId: string): Promise<void> {
  await editServerDoc(server, SPACE_DOC, (doc) => {
    updateSessionEntry(doc, childId, { status: 'done', updatedAt: Date.now() });
  });
}

async function countToasts(pages: Page[]): Promise<number> {
  let n = 0;
  for (const p of pages) n += await p.getByTestId('notify-toast').count();
  return n;
}

async function openTwoTabs(context: BrowserContext, server: TestServer, parentTitle: string): Promise<Page[]> {
  const a = await context.newPage();
  await openApp(a, server);
  const b = await context.newPage();
  await b.goto(`${server.url}/`);
  for (const p of [a, b]) await expect(sessionRow(p, parentTitle)).toBeVisible();
  return [a, b];
}

test('with two tabs open, a finished subagent shows one toast, and clicking it opens the session', async ({
  context,
  syncServer,
}) => {
  const { childId } = await seedSubagents(syncServer, 'Parent of a subagent');
  const tabs = await openTwoTabs(context, syncServer, 'Parent of a subagent');

  await finishSubagent(syncServer, childId);
  await expect.poll(() => countToasts(tabs)).toBe(1);
  // Bounded check once the toast is there: no other tab (and no history) adds a second one.
  await tabs[0]!.waitForTimeout(CLAIM_SETTLE_MS);
  expect(await countToasts(tabs)).toBe(1);

  const shown = (await tabs[0]!.getByTestId('notify-toast').count()) ? tabs[0]! : tabs[1]!;
  const toast = shown.getByTestId('notify-toast');
  await expect(toast).toHaveAttribute('data-event-id', `subagent:${childId}:done`);
  await expect(toast).toContainText('Subagent “run the tests” finished');
  await expect(toast).toContainText('Started from “Parent of a subagent”');
  await expect(shown.getByTestId('notify-stack')).toHaveAttribute('aria-live', 'polite');
  if (SHOTS) await shown.screenshot({ path: `${SHOTS}/toast.png` });

  await toast.getByRole('link').click();
  await expect(shown).toHaveURL(`${syncServer.url}/s/${childId}`);
  await expect(shown.getByTestId('notify-toast')).toHaveCount(0);
});

test('with every tab hidden, an event is one system notification, and its click opens the session', async ({
  context,
  syncServer,
}) => {
  test.setTimeout(60_000);
  await context.grantPermissions(['notifications'], { origin: syncServer.url });
  // Playwright keeps every page "visible" (headless Chromium has no background tabs, and minimising
  // the window through CDP changes nothing there), so each tab's visibility is emulated: the page
  // reads document.visibilityState, and this makes it say "hidden" and fires visibilitychange.
  await context.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden = (h) => {
      hidden = h;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
  const { childId } = await seedSubagents(syncServer, 'Parent in the background');
  const [a, b] = await openTwoTabs(context, syncServer, 'Parent in the background');
  await waitForServiceWorker(a!);
  await waitForServiceWorker(b!);

  await a!.getByRole('link', { name: 'Settings' }).click();
  const section = a!.getByTestId('notification-settings');
  await section.getByTestId('notify-subagent').check();
  await expect(section.getByTestId('notify-permission')).toContainText('Allowed');
  if (SHOTS) await section.screenshot({ path: `${SHOTS}/settings.png` });

  for (const p of [a!, b!])
    await p.evaluate(() => (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden(true));
  await finishSubagent(syncServer, childId);

  const tag = `subagent:${childId}:done`;
  const notifications = () =>
    a!.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return (await registration.getNotifications()).map((n) => ({ title: n.title, tag: n.tag, data: n.data }));
    });
  await expect.poll(notifications, { timeout: 10_000 }).toHaveLength(1);
  await a!.waitForTimeout(CLAIM_SETTLE_MS);
  expect(await notifications()).toEqual([
    { title: 'Subagent “run the tests” finished', tag, data: { url: `/s/${childId}`, eventId: tag } },
  ]);
  expect(await countToasts([a!, b!])).toBe(0);

  // Playwright cannot click an OS notification: the real service worker gets a notificationclick
  // built around the real notification it showed, and its own handler does the rest.
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  await worker.evaluate(async (t) => {
    // Worker globals, typed here: the e2e project compiles against the DOM library only.
    const sw = self as unknown as {
      registration: ServiceWorkerRegistration;
      dispatchEvent(event: Event): boolean;
      NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
    };
    const [notification] = await sw.registration.getNotifications({ tag: t });
    if (!notification) throw new Error(`no notification tagged ${t}`);
    sw.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification }));
  }, tag);
  const sessionUrl = `${syncServer.url}/s/${childId}`;
  await expect.poll(() => [a!, b!].filter((p) => p.url() === sessionUrl).length).toBe(1);
  await expect.poll(notifications).toHaveLength(0);
});

test('a tool call waiting for approval in one tab shows one toast across two tabs', async ({ context, syncServer }) => {
  const model = await startChatModel();
  const runner = await startTestRunner(syncServer.url);
  try {
    const driver = await context.newPage();
    await useScriptedModel(driver, syncServer.url, model);
    await pairRunner(driver, syncServer.url, runner);
    const other = await context.newPage();
    await other.goto(`${syncServer.url}/`);
    await openNewSession(driver, syncServer.url, 'coder', 'Write with a waiting approval');
    await expect(sessionRow(other, 'Write with a waiting approval')).toBeVisible();
    // The scripted model asks for write_file, which waits for Approve in the driving tab.
    await sendPrompt(driver, 'please write a note');
    await expect(driver.getByTestId('approval-card')).toBeVisible();

    const tabs = [driver, other];
    await expect.poll(() => countToasts(tabs)).toBe(1);
    await driver.waitForTimeout(CLAIM_SETTLE_MS);
    expect(await countToasts(tabs)).toBe(1);
    const shown = (await driver.getByTestId('notify-toast').count()) ? driver : other;
    await expect(shown.getByTestId('notify-toast')).toContainText(
      'Approval waiting in “Write with a waiting approval”',
    );
    // The driving tab mirrors its waiting call into the session index; the event is that transition.
    await expect(shown.getByTestId('notify-toast')).toHaveAttribute('data-event-id', /^approval:ses_[^:]+:\d+$/);
    await expect(sessionRow(other, 'Write with a waiting approval')).toContainText('waiting-approval');
    if (SHOTS) await shown.screenshot({ path: `${SHOTS}/approval-toast.png` });
  } finally {
    await runner.close();
    await model.close();
  }
});

test('a five-agent workflow run is one "finished" toast across two tabs, not one per agent', async ({
  context,
  syncServer,
}) => {
  test.setTimeout(120_000);
  const scenarios = SCENARIOS_DIR;
  const model = await startScriptedModel({
    scenarios: loadScenarioDir(scenarios).filter((s) => s.name === 'workflows'),
  });
  try {
    const driver = await context.newPage();
    await useScriptedModel(driver, syncServer.url, model);
    const other = await context.newPage();
    await other.goto(`${syncServer.url}/`);
    const id = await openNewSession(driver, syncServer.url, 'chat', 'Review with a workflow');
    await expect(sessionRow(other, 'Review with a workflow')).toBeVisible();
    await driver.getByRole('tab', { name: 'Workflows' }).click();
    await driver.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
    await driver.getByTestId('workflow-args').fill(JSON.stringify({ diff: '+ return a + b;' }));
    await driver.getByTestId('workflow-run').click();
    const card = driver.getByTestId('workflow-run-card').first();
    await expect(card).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
    await expect(driver.locator('[data-testid="workflow-agent"][data-status="done"]')).toHaveCount(5);

    const tabs = [driver, other];
    await expect.poll(() => countToasts(tabs)).toBe(1);
    await driver.waitForTimeout(CLAIM_SETTLE_MS);
    expect(await countToasts(tabs)).toBe(1);
    const shown = (await driver.getByTestId('notify-toast').count()) ? driver : other;
    const toast = shown.getByTestId('notify-toast');
    await expect(toast).toHaveAttribute('data-event-id', /^workflow:wfr_[^:]+:1:completed$/);
    await expect(toast).toContainText('Workflow multi-review finished');
    await expect(toast).toContainText('Started from “Review with a workflow”');
    if (SHOTS) await shown.screenshot({ path: `${SHOTS}/workflow-toast.png` });
    await toast.getByRole('link').click();
    await expect(shown).toHaveURL(new RegExp(`/s/${id}`));
  } finally {
    await model.close();
  }
});

test('Settings asks for permission only when a kind is turned on, and says in words what the browser answered', async ({
  page,
  syncServer,
}) => {
  await openApp(page, syncServer);
  await page.getByRole('link', { name: 'Settings' }).click();
  const section = page.getByTestId('notification-settings');
  await expect(section.getByTestId('notify-permission')).toContainText('Not asked yet');
  expect(await page.evaluate(() => Notification.permission)).toBe('default');
  // Nobody grants it here: Playwright's Chromium answers the prompt with a refusal.
  await section.getByTestId('notify-approval').check();
  await expect(section.getByTestId('notify-permission')).toContainText('Blocked by the browser');
  await expect(section.getByTestId('notify-approval')).toBeChecked();
  if (SHOTS) await section.screenshot({ path: `${SHOTS}/settings-blocked.png` });
  await page.reload();
  await expect(page.getByTestId('notification-settings').getByTestId('notify-approval')).toBeChecked();
});
