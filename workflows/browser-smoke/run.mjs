// Builds browser-smoke/ with Vite, serves it and runs it in Chromium: proves the engine works in a
// real Web Worker (QuickJS wasm fetched lazily, WebCrypto spec hashes, Comlink callbacks).
// Usage: node workflows/browser-smoke/run.mjs   (exit code 0 when both runs end as expected)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'wf-browser-smoke-'));
await build({ root, base: './', logLevel: 'warn', build: { outDir, emptyOutDir: true }, worker: { format: 'es' } });

const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const served = [];
const server = createServer((req, res) => {
  const path = join(outDir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  served.push(path.slice(outDir.length));
  if (!path.startsWith(outDir) || !existsSync(path) || path.endsWith('/')) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
}).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('pageerror:', error.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 30_000 });
  const result = await page.evaluate(() => window.result);
  console.log(JSON.stringify(result, null, 2));
  console.log(
    'wasm fetched:',
    served.some((p) => p.endsWith('.wasm')),
  );
  const ok = result.outcome?.status === 'completed' && result.loopOutcome?.error?.code === 'CPU_LIMIT';
  process.exitCode = ok ? 0 : 1;
} finally {
  await browser.close();
  server.close();
  rmSync(outDir, { recursive: true, force: true });
}
