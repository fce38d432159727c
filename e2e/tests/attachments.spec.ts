// Attachments as a user makes them: an image pasted into the composer reaches the scripted model as an
// image_url data URI, shows in the bubble after a reload and on a second device (fetched from the server),
// uploads when an offline device comes back, and SVG or binary files are refused in words.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { type APIRequestContext, expect, type Page, test } from '@playwright/test';
import { createSyncServer, type SyncServer } from '../../sync-server/src/server/createSyncServer.ts';
import { assistantMessages, openNewSession, startChatModel, useScriptedModel } from '../harness/model.ts';
import { CLIENT_DIST } from '../harness/sync-server.ts';

let model: ScriptedModel;
let server: SyncServer;
let dataRoot: string;
const token = `e2e-att-${Math.random().toString(36).slice(2)}`;

/** The sync server (its blob routes are part of it) serving the built client. */
async function startServer(): Promise<SyncServer> {
  dataRoot = await mkdtemp(join(tmpdir(), 'boocode-e2e-att-'));
  return createSyncServer({ dataDir: dataRoot, token, port: 0, host: '127.0.0.1', clientDir: CLIENT_DIST });
}

test.beforeAll(async () => {
  model = await startChatModel();
  server = await startServer();
});
test.afterAll(async () => {
  await model?.close();
  await server?.close();
  await rm(dataRoot, { recursive: true, force: true });
});

// ---- fixtures: real PNG files made here, so the test knows their exact bytes ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** An RGB PNG of w×h: a diagonal gradient tinted by `seed`, so different seeds are different files. */
function makePng(w: number, h: number, seed: number): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    for (let x = 0; x < w; x++) {
      raw[row + 1 + x * 3] = (x * 4 + seed * 50) & 255;
      raw[row + 2 + x * 3] = (y * 5) & 255;
      raw[row + 3 + x * 3] = ((x + y) * 2 + seed * 90) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// ---- user steps ----

/** Pastes files into the composer as a synthetic ClipboardEvent carrying File objects. */
async function pasteFiles(page: Page, files: Array<{ name: string; type: string; bytes: Buffer }>) {
  const payload = files.map((f) => ({ name: f.name, type: f.type, b64: f.bytes.toString('base64') }));
  await page.getByTestId('composer-input').evaluate((el, list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, payload);
}

/** Drops files on the composer as a synthetic DragEvent, as a drag from the file manager would. */
async function dropFiles(page: Page, files: Array<{ name: string; type: string; bytes: Buffer }>) {
  const payload = files.map((f) => ({ name: f.name, type: f.type, b64: f.bytes.toString('base64') }));
  await page.locator('form.composer').evaluate((el, list) => {
    const dt = new DataTransfer();
    for (const f of list)
      dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

/** Rows in this device's Dexie `blobs` table. */
function localBlobCount(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('boocode');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('blobs').objectStore('blobs').count();
          req.onsuccess = () => {
            resolve(req.result);
            open.result.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

async function serverHas(request: APIRequestContext, hash: string): Promise<number> {
  const res = await request.head(`${server.url}/api/blobs/${hash}`, { headers: { authorization: `Bearer ${token}` } });
  return res.status();
}

async function openAppWithToken(page: Page) {
  await page.goto(server.appUrl);
  await expect(page.getByTestId('new-session')).toBeVisible();
}

async function expectImageShown(page: Page) {
  const img = page.getByTestId('message-image').first();
  await expect(img).toBeVisible({ timeout: 15_000 });
  await expect.poll(() => img.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
}

test('a pasted image reaches the model as a data URI, survives a reload and shows on a second device', async ({
  browser,
  request,
}) => {
  test.setTimeout(90_000);
  const png = makePng(160, 90, 1);
  const hash = sha256(png);
  const deviceA = await browser.newContext();
  const page = await deviceA.newPage();
  await openAppWithToken(page);
  await useScriptedModel(page, server.url, model);
  const id = await openNewSession(page, server.url, 'chat', 'Look at this screenshot');

  await pasteFiles(page, [{ name: 'image.png', type: 'image/png', bytes: png }]);
  await expect(page.getByTestId('attach-draft')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('attach-thumb')).toBeVisible();
  await expect(page.getByTestId('attach-draft')).toContainText('160×90');
  // The same image again: one thumbnail, one stored blob, and a note saying why.
  await pasteFiles(page, [{ name: 'again.png', type: 'image/png', bytes: png }]);
  await expect(page.getByTestId('attach-error')).toContainText('already attached');
  await expect(page.getByTestId('attach-draft')).toHaveCount(1);
  expect(await localBlobCount(page)).toBe(1);

  model.reset();
  await page.getByTestId('composer-input').fill('what is in this picture?');
  await page.getByTestId('composer-input').press('Enter');
  await expect(assistantMessages(page).last()).toHaveAttribute('class', /status-done/, { timeout: 15_000 });
  await expect(page.getByTestId('attach-draft')).toHaveCount(0);

  const sent = model.requests()[0]?.body as { messages: Array<{ role: string; content: unknown }> } | undefined;
  const user = sent?.messages.find((m) => m.role === 'user');
  expect(user?.content).toEqual([
    { type: 'text', text: 'what is in this picture?' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
  ]);

  // The trace viewer shows the model call's image input as a thumbnail (the span itself keeps only a count).
  await page.getByRole('tab', { name: 'Traces' }).click();
  const modelRow = page.locator('[data-testid="span-row"][data-kind="model"]').first();
  await modelRow.click();
  await expect(modelRow.getByTestId('span-image-inputs').getByTestId('message-image')).toBeVisible({ timeout: 10_000 });
  await modelRow.locator('.span-line').click(); // collapse again: the chat's thumbnail is the one used below
  await expect(page.getByTestId('span-image-inputs')).toHaveCount(0);

  await expectImageShown(page);
  await page.getByTestId('message-image').click();
  await expect(page.getByTestId('image-viewer')).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/attachments-viewer.png' });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('image-viewer')).toBeHidden();
  // Esc closed the viewer only: the page is still the session.
  await expect(page.getByTestId('chat')).toBeVisible();

  // Pasted again (a new message, same bytes): still one blob on the device.
  await pasteFiles(page, [{ name: 'image.png', type: 'image/png', bytes: png }]);
  await expect(page.getByTestId('attach-draft')).toHaveAttribute('data-state', 'ready');
  expect(await localBlobCount(page)).toBe(1);
  await pasteFiles(page, [{ name: 'diagram.png', type: 'image/png', bytes: makePng(120, 120, 2) }]);
  await expect(page.getByTestId('attach-draft')).toHaveCount(2);
  await expect(page.getByTestId('attach-thumb')).toHaveCount(2);
  await page.screenshot({ path: 'e2e/screenshots/attachments-chat.png' });

  await expect.poll(() => serverHas(request, hash), { timeout: 10_000 }).toBe(200);

  await page.reload();
  await expectImageShown(page);

  // Device B has never seen the blob: it fetches it from the server when it shows the message.
  const deviceB = await browser.newContext();
  const b = await deviceB.newPage();
  await openAppWithToken(b);
  await b.goto(`${server.url}/s/${id}`);
  await expect(b.getByTestId('message').first()).toContainText('what is in this picture?', { timeout: 15_000 });
  await expectImageShown(b);
  expect(await localBlobCount(b)).toBe(1);
  await deviceA.close();
  await deviceB.close();
});

test('an image attached offline is uploaded when the device is back online', async ({ browser, request }) => {
  const png = makePng(64, 64, 3);
  const hash = sha256(png);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await openAppWithToken(page);
  await openNewSession(page, server.url, 'chat', 'Offline attach');
  await expect(page.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'synced');

  await ctx.setOffline(true);
  await expect(page.getByTestId('global-sync-status')).toHaveAttribute('data-status', 'offline');
  await pasteFiles(page, [{ name: 'offline.png', type: 'image/png', bytes: png }]);
  await expect(page.getByTestId('attach-draft')).toHaveAttribute('data-state', 'ready');
  expect(await serverHas(request, hash)).toBe(404);

  await ctx.setOffline(false);
  await expect.poll(() => serverHas(request, hash), { timeout: 20_000 }).toBe(200);
  await ctx.close();
});

test('SVG and binary files are refused in words; a text file and a large image are taken', async ({ page }) => {
  await openAppWithToken(page);
  await useScriptedModel(page, server.url, model);
  await openNewSession(page, server.url, 'chat', 'Refusals');

  // Named .png and declared image/png: the bytes decide.
  const svg = Buffer.from(
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
  );
  await pasteFiles(page, [{ name: 'logo.png', type: 'image/png', bytes: svg }]);
  await expect(page.getByTestId('attach-error')).toContainText('SVG');
  await expect(page.getByTestId('attach-draft')).toHaveCount(0);

  const binary = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0xff, 0xfe, 0x00]);
  await pasteFiles(page, [{ name: 'report.pdf', type: 'application/pdf', bytes: binary }]);
  await expect(page.getByTestId('attach-error')).toContainText('neither an image');

  // A text file from the picker goes as a named text part; a dropped 3000×1500 image is downscaled to 2048 px.
  await page.getByTestId('attach-input').setInputFiles({
    name: 'notes.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from('# Notes\n\nThe build fails on CI.\n'),
  });
  await dropFiles(page, [{ name: 'wide.png', type: 'image/png', bytes: makePng(3000, 1500, 4) }]);
  await expect(page.getByTestId('attach-draft')).toHaveCount(2);
  const wide = page.getByTestId('attach-draft').filter({ hasText: 'wide.png' });
  await expect(wide).toContainText('2048×1024 · ', { timeout: 15_000 });
  await expect(wide).toContainText('original 3000×1500');
  await page.screenshot({ path: 'e2e/screenshots/attachments-composer.png' });

  model.reset();
  await page.getByTestId('composer-input').fill('read these');
  await page.getByTestId('composer-input').press('Enter');
  await expect(assistantMessages(page).last()).toHaveAttribute('class', /status-done/, { timeout: 15_000 });
  const body = JSON.stringify(model.requests()[0]?.body);
  expect(body).toContain('File: notes.md');
  expect(body).toContain('The build fails on CI.');
  expect(body).toContain('data:image/png;base64,');
  await expect(page.getByTestId('message-file')).toContainText('notes.md');
});

test('a model marked without vision gets a warning before sending', async ({ page }) => {
  await openAppWithToken(page);
  await page.goto(`${server.url}/settings`);
  await page.getByTestId('model-provider').selectOption('deepseek');
  await page.getByTestId('model-name').fill('deepseek-chat');
  await page.getByTestId('model-save').click();
  await expect(page.getByText('Saved. The next turn uses it.')).toBeVisible();
  await openNewSession(page, server.url, 'chat', 'No vision');
  await pasteFiles(page, [{ name: 'shot.png', type: 'image/png', bytes: makePng(32, 32, 5) }]);
  await expect(page.getByTestId('vision-warning')).toContainText('does not accept images');
});

test('the server refuses a hash mismatch and an SVG', async ({ request }) => {
  const png = makePng(8, 8, 6);
  const auth = { authorization: `Bearer ${token}` };
  const wrong = await request.put(`${server.url}/api/blobs/${'a'.repeat(64)}`, { headers: auth, data: png });
  expect(wrong.status()).toBe(400);
  expect((await wrong.json()).code).toBe('HASH_MISMATCH');
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
  const refused = await request.put(`${server.url}/api/blobs/${sha256(svg)}`, { headers: auth, data: svg });
  expect(refused.status()).toBe(415);
  expect((await refused.json()).code).toBe('UNSUPPORTED_TYPE');
});
