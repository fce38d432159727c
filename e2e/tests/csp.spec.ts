// The app runs whole under the sync server's Content-Security-Policy: loading it, its service worker,
// a chat turn against the (loopback) scripted model, a pasted image shown from a blob: URL, the
// trace, timeline and cache panes, search across sessions with its charts, settings, and a workflow in the QuickJS worker (wasm). Violations
// are caught three ways: the page's `securitypolicyviolation` events, console messages that name the
// policy, and the browser's own reports to a `report-uri` collector (which also hears workers and the
// service worker). A deliberate inline script at the end proves the net catches what it should.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, type Page, test } from '@playwright/test';
import { createSyncServer, type SyncServer } from '../../sync-server/src/server/createSyncServer.ts';
import { waitForServiceWorker } from '../harness/fixtures.ts';
import { assistantMessages, openNewSession, useScriptedModel } from '../harness/model.ts';
import { CLIENT_DIST } from '../harness/sync-server.ts';

const DIFF = ['--- a/src/add.js', '+++ b/src/add.js', '@@ -1 +1 @@', '-  return a - b;', '+  return a + b;'].join('\n');

let model: ScriptedModel;
let server: SyncServer;
let dataDir: string;
let collector: Server;
/** Every CSP report the browser sent, as the JSON it posted. */
const reports: string[] = [];

test.beforeAll(async () => {
  const wanted = new Set(['demo', 'chat-e2e', 'workflows']);
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => wanted.has(s.name)) });
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      reports.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const address = collector.address();
  const reportUri = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/csp`;
  dataDir = await mkdtemp(join(tmpdir(), 'boocode-e2e-csp-'));
  server = await createSyncServer({
    dataDir,
    token: `e2e-csp-${Math.random().toString(36).slice(2)}`,
    port: 0,
    host: '127.0.0.1',
    clientDir: CLIENT_DIST,
    cspReportUri: reportUri,
  });
});
test.afterAll(async () => {
  await server?.close();
  await model?.close();
  await new Promise((resolve) => collector?.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

/** Records what the page itself sees: violation events and console lines about the policy. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  page.on('console', (msg) => {
    if (/Content Security Policy|CSP violation/i.test(msg.text())) seen.push(msg.text());
  });
  page.on('worker', (worker) => {
    worker.on('console', (msg) => {
      if (/Content Security Policy|CSP violation/i.test(msg.text())) seen.push(`worker: ${msg.text()}`);
    });
  });
  return seen;
}

/** A small RGB PNG made here (a gradient), pasted as a user would paste a screenshot. */
function makePng(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    td.copy(out, 4);
    out.writeUInt32BE(crc(td), 8 + data.length);
    return out;
  };
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w * 3; x++) raw[y * (w * 3 + 1) + 1 + x] = (x + y * 3) & 255;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function pasteImage(page: Page, png: Buffer) {
  await page.getByTestId('composer-input').evaluate((el, b64) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'shot.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, png.toString('base64'));
}

test('the whole app runs under its Content-Security-Policy without a single violation', async ({ page }) => {
  test.setTimeout(150_000);
  const seen = await watchViolations(page);

  const shell = await page.goto(server.appUrl);
  const csp = (await shell?.allHeaders())?.['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toContain('unsafe-inline');
  await expect(page.getByTestId('new-session')).toBeVisible();
  await waitForServiceWorker(page);

  // A chat turn with a pasted image: the model is on loopback, the thumbnail a blob: URL.
  await useScriptedModel(page, server.url, model);
  await openNewSession(page, server.url, 'chat', 'Under the policy');
  await pasteImage(page, makePng(64, 48));
  await expect(page.getByTestId('attach-thumb')).toBeVisible();
  await expect
    .poll(() => page.getByTestId('attach-thumb').evaluate((i) => (i as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);
  await page.getByTestId('composer-input').fill('what is in this picture?');
  await page.getByTestId('composer-input').press('Enter');
  await expect(assistantMessages(page).last()).toHaveAttribute('class', /status-done/, { timeout: 20_000 });
  await expect
    .poll(() =>
      page
        .getByTestId('message-image')
        .first()
        .evaluate((i) => (i as HTMLImageElement).naturalWidth),
    )
    .toBeGreaterThan(0);

  for (const pane of ['Traces', 'Timeline', 'Cache']) {
    const tab = page.getByRole('tab', { name: pane });
    if ((await tab.count()) === 0) continue;
    await tab.click();
    await expect(tab).toHaveAttribute('aria-selected', 'true');
  }

  // A workflow: QuickJS compiles its wasm in a worker.
  await page.getByRole('tab', { name: 'Workflows' }).click();
  await page.locator('[data-testid="workflow-pick"][data-name="multi-review"]').click();
  await page.getByTestId('workflow-args').fill(JSON.stringify({ diff: DIFF }));
  await page.getByTestId('workflow-run').click();
  const card = page.getByTestId('workflow-run-card').first();
  await expect(card).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });

  // Search across sessions with its charts: uPlot draws on canvas and styles only through the CSSOM.
  await page.goto(`${server.url}/search?q=picture`);
  await expect(page.getByTestId('search-hit').first()).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('chart-cost').locator('canvas')).toBeVisible({ timeout: 15_000 });

  await page.goto(`${server.url}/settings`);
  await expect(page.getByTestId('model-provider')).toBeVisible();

  expect(seen).toEqual([]);
  expect(reports).toEqual([]);

  // The control: an inline script (what an injected <script> would be) is blocked, seen by the page
  // and reported by the browser.
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injectedRan = true';
    document.head.append(script);
    return (window as unknown as { __injectedRan?: boolean }).__injectedRan === true;
  });
  expect(ran).toBe(false);
  // Chromium logs the refusal, and the page's listener hears the event: two lines, one violation.
  await expect.poll(() => seen.length).toBe(2);
  for (const line of seen) expect(line).toMatch(/script-src/);
  await expect.poll(() => reports.length, { timeout: 10_000 }).toBe(1);
  expect(reports[0]).toContain('inline');
});
