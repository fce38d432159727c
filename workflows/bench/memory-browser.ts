// Peak memory of Chromium's renderer (where the workflow Web Worker runs) while a memory bomb runs
// under the default 64 MB limit. Builds ./browser with Vite, serves it, runs each bomb in a fresh
// browser and samples the renderer processes' VmHWM (peak resident set) from /proc.
// Usage: tsx workflows/bench/memory-browser.ts   (exits 1 if a bomb does not end in MEMORY_LIMIT)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { MEMORY_BOMBS } from './memory-bombs.ts';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
];

export interface BrowserMemoryFigure {
  bomb: string;
  code: string;
  ms: number;
  rendererPeakMb: number;
}

export async function measureBrowserMemory(): Promise<BrowserMemoryFigure[]> {
  const root = fileURLToPath(new URL('./browser/', import.meta.url));
  const outDir = mkdtempSync(join(tmpdir(), 'wf-memory-bench-'));
  await build({ root, base: './', logLevel: 'warn', build: { outDir, emptyOutDir: true }, worker: { format: 'es' } });
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = join(outDir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(outDir) || !existsSync(path) || path.endsWith('/')) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const figures: BrowserMemoryFigure[] = [];
  try {
    for (const bomb of Object.keys(MEMORY_BOMBS)) {
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${port}/index.html?bomb=${encodeURIComponent(bomb)}`);
        let peakKb = 0;
        for (;;) {
          peakKb = Math.max(peakKb, rendererPeakKb());
          const done = await page.evaluate(() => (window as unknown as { result?: unknown }).result !== undefined);
          if (done) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        peakKb = Math.max(peakKb, rendererPeakKb());
        const result = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as {
          outcome?: { status: string; error?: { code: string } };
          ms?: number;
          error?: string;
        };
        figures.push({
          bomb,
          code: result.outcome?.error?.code ?? result.outcome?.status ?? `error: ${result.error}`,
          ms: result.ms ?? -1,
          rendererPeakMb: Math.round(peakKb / 1024),
        });
      } finally {
        await browser.close();
      }
    }
  } finally {
    server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
  return figures;
}

/** The highest VmHWM among Chromium renderer processes now running. */
function rendererPeakKb(): number {
  const out = execFileSync('pgrep', ['-f', '--', '--type=renderer'], { encoding: 'utf8' }).trim();
  let peak = 0;
  for (const pid of out.split('\n').filter(Boolean)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // The process ended between pgrep and the read.
    }
  }
  return peak;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await measureBrowserMemory();
  console.table(figures);
  process.exitCode = figures.every((f) => f.code === 'MEMORY_LIMIT') ? 0 : 1;
}
