// Measures y-dexie against y-indexeddb in Debian's Chromium: cost of a write, load time of a doc
// with many small updates and of a large one, and live delivery between two tabs.
// Run: npx tsx client/bench/run-storage-bench.ts   (prints a table; figures vary run to run)
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { build } from 'vite';
import type { Lib } from './bench-page.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = '/tmp/boocode-storage-bench';
const LIBS: Lib[] = ['y-dexie', 'y-indexeddb'];
const RUNS = 3;

await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: false } });
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
const server = createServer(async (req, res) => {
  const path = req.url === '/' ? '/index.html' : (req.url ?? '/');
  try {
    const body = await readFile(join(outDir, path));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const address = server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
});

async function freshPage(context: Awaited<ReturnType<typeof browser.newContext>>): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e));
  await page.goto(url);
  await page.waitForFunction(() => document.title === 'bench ready');
  return page;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const rows: string[] = [];

for (const lib of LIBS) {
  const context = await browser.newContext();
  let page = await freshPage(context);
  const w = await page.evaluate(([l]) => window.bench.write(l, 'many', 2000, 64, 1500), [lib] as const);
  const big = await page.evaluate(([l]) => window.bench.write(l, 'big', 200, 10_000, 1500), [lib] as const);
  const loadsMany: number[] = [];
  const loadsBig: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.close();
    page = await freshPage(context);
    const m = await page.evaluate(([l]) => window.bench.load(l, 'many'), [lib] as const);
    if (m.length !== 2000 * 64) throw new Error(`${lib}: loaded ${m.length} chars of many`);
    loadsMany.push(m.ms);
    await page.close();
    page = await freshPage(context);
    const b = await page.evaluate(([l]) => window.bench.load(l, 'big'), [lib] as const);
    if (b.length !== 200 * 10_000) throw new Error(`${lib}: loaded ${b.length} chars of big`);
    loadsBig.push(b.ms);
  }
  rows.push(
    `${lib.padEnd(16)} write 2000x64B: ${(w.transactMs / 2000).toFixed(3)} ms/update in transact, ` +
      `${(w.committedMs / 2000).toFixed(3)} ms/update until committed (${w.committedMs.toFixed(0)} ms total) | ` +
      `write 200x10kB: ${big.committedMs.toFixed(0)} ms | load 2000 small updates: ${median(loadsMany).toFixed(0)} ms | ` +
      `load 2 MB doc: ${median(loadsBig).toFixed(0)} ms`,
  );
  await context.close();
}

for (const lib of ['y-dexie', 'y-indexeddb', 'y-indexeddb+bc'] as Lib[]) {
  const context = await browser.newContext();
  const a = await freshPage(context);
  const b = await freshPage(context);
  await b.evaluate(([l]) => window.bench.listen(l, 'tabs'), [lib] as const);
  for (let i = 0; i < 20; i++) {
    await a.evaluate(([l, k]) => window.bench.ping(l, 'tabs', k), [lib, `k${i}`] as const);
    await a.waitForTimeout(100);
  }
  await a.waitForTimeout(1000);
  const lat = await b.evaluate(() => window.bench.latencies());
  rows.push(
    `${lib.padEnd(16)} two tabs: ${lat.length}/20 updates arrived` +
      (lat.length ? `, median ${median(lat)} ms, max ${Math.max(...lat)} ms` : ''),
  );
  await context.close();
}

await browser.close();
server.close();
console.log(rows.join('\n'));

declare global {
  interface Window {
    bench: BenchApi;
  }
}
/** What bench-page.ts puts on `window.bench`. */
type BenchApi = {
  write(
    lib: Lib,
    name: string,
    n: number,
    bytes: number,
    settleMs?: number,
  ): Promise<{ transactMs: number; committedMs: number }>;
  load(lib: Lib, name: string): Promise<{ ms: number; length: number }>;
  listen(lib: Lib, name: string): Promise<void>;
  ping(lib: Lib, name: string, key: string): Promise<void>;
  latencies(): number[];
};
