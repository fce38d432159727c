// Bench (not part of the test suite): a 10,000-span session in the trace pane, in Debian's Chromium against
// the real sync server. Reports the time until the pane shows its first rows (cold page load, and switching
// to the Traces tab in a loaded session), expanding a closed turn, zooming (fit session, zoom to a turn) and
// the frame rate during a scripted scroll (rAF count).
// Run: npm run bench:traces (builds the client) or npx tsx e2e/bench/traces-10k.ts [spanCount]

import { sessionDocName } from '@boocode/shared/doc/names';
import { openSpan } from '@boocode/shared/doc/spans';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../harness/browser.ts';
import { editServerDoc, seedSession } from '../harness/server-docs.ts';
import { startTestServer } from '../harness/sync-server.ts';
import { manySpans, writeSpans } from './traces-seed.ts';

const COUNT = Number(process.argv[2] ?? 10_000);
const BATCH = 2_000;
const FIRST_ROW = '[data-testid="span-row"], [data-testid="turn-row"]';

async function firstRowsAfter(page: Page, action: () => Promise<unknown>): Promise<number> {
  const t0 = Date.now();
  await action();
  // A big session opens with its turns' rows (only the last turn open): the first row may be either.
  await page.locator(FIRST_ROW).first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="trace-summary"]')?.textContent?.startsWith(`${n} spans`),
    COUNT,
    {
      timeout: 60_000,
    },
  );
  return Date.now() - t0;
}

/**
 * Scrolls the waterfall by `step` px per frame for `ms`, counting frames and frames slower than 50 ms.
 * Passed as source text: tsx would wrap named functions in a helper the page does not have.
 */
async function scriptedScroll(page: Page, ms: number, step: number) {
  // Main-thread time per frame (CDP), less sensitive than the frame rate to other load on the machine.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
    return { script: get('ScriptDuration'), task: get('TaskDuration') };
  };
  const before = await metric();
  const result = await runScroll(page, ms, step);
  const after = await metric();
  await cdp.detach();
  const perFrame = (s: number) => Math.round(((s * 1000) / result.frames) * 10) / 10;
  return {
    ...result,
    scriptMsPerFrame: perFrame(after.script - before.script),
    mainThreadMsPerFrame: perFrame(after.task - before.task),
  };
}

function runScroll(page: Page, ms: number, step: number) {
  return page.evaluate(`new Promise((resolve) => {
    const ms = ${ms}, step = ${step};
    const el = document.querySelector('[data-testid="span-scroll"]');
    const start = performance.now();
    let last = start, frames = 0, slowFrames = 0, worst = 0;
    const tick = (now) => {
      frames++;
      const dt = now - last;
      last = now;
      worst = Math.max(worst, dt);
      if (dt > 50) slowFrames++;
      el.scrollTop += step;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) el.scrollTop = 0;
      if (now - start < ms) requestAnimationFrame(tick);
      else resolve({ frames, fps: (frames * 1000) / (now - start), slowFrames, worstMs: Math.round(worst), scrolledPx: frames * step });
    };
    requestAnimationFrame(tick);
  })`) as Promise<{ frames: number; fps: number; slowFrames: number; worstMs: number; scrolledPx: number }>;
}

async function main() {
  const server = await startTestServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const id = await seedSession(server, `Bench ${COUNT} spans`, [{ role: 'user', text: 'A long session' }]);
    const spans = manySpans(COUNT, Date.now() - COUNT * 500);
    const seedStart = Date.now();
    for (let i = 0; i < spans.length; i += BATCH) await writeSpans(server, id, spans.slice(i, i + BATCH));
    console.log(`seeded ${spans.length} spans in ${Date.now() - seedStart} ms`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.appUrl);
    await page.getByTestId('new-session').waitFor();

    // Cold: the session doc comes over the network (nothing on this device yet).
    const cold = await firstRowsAfter(page, () => page.goto(`${server.url}/s/${id}?pane=traces`));
    await page.getByTestId('session-sync-status').and(page.locator('[data-status="synced"]')).waitFor();
    // Warm reload: the doc loads from IndexedDB, then syncs.
    const warm = await firstRowsAfter(page, () => page.reload());
    // Tab switch in a loaded session: what a user feels when opening the pane.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.locator(FIRST_ROW).first().waitFor({ state: 'detached' });
    const tab = await firstRowsAfter(page, () => page.getByRole('tab', { name: 'Traces' }).click());

    // Expand the first (closed) turn: its rows are built only now. Then zoom the session onto one axis.
    const firstTurn = page.getByTestId('turn-row').first();
    const expandStart = Date.now();
    await firstTurn.locator('.span-line').click();
    await page.locator('[data-testid="span-row"][data-turn-key="turn:0"]').first().waitFor();
    const expandTurnMs = Date.now() - expandStart;
    const zoomStart = Date.now();
    await page.getByTestId('zoom-fit-session').click();
    await page.getByTestId('trace-axis').waitFor();
    const fitSessionMs = Date.now() - zoomStart;
    const zoomTurnStart = Date.now();
    await firstTurn.getByTestId('turn-zoom').click();
    await page.getByTestId('zoom-reset').waitFor();
    const zoomTurnMs = Date.now() - zoomTurnStart;
    await page.getByTestId('zoom-fit-turn').click();

    const side = await scriptedScroll(page, 3000, 40);
    await page.getByTestId('trace-fullscreen').click();
    const full = await scriptedScroll(page, 3000, 120);
    const rowsInDom = await page.locator(FIRST_ROW).count();
    // Live: one open span makes the pane re-render every frame (its bar grows, the axis moves).
    await editServerDoc(server, sessionDocName(id), (doc) =>
      openSpan(doc, { id: 'spn_live', kind: 'tool', name: 'run_command', turn: 0, startedAt: Date.now() }),
    );
    await page.locator('[data-span-id="spn_live"]').or(page.locator(FIRST_ROW).first()).first().waitFor();
    await page.getByTestId('trace-summary').locator('.live-dot').waitFor();
    const live = await scriptedScroll(page, 3000, 120);

    const r = (x: number) => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify(
        {
          spans: COUNT,
          firstRowsColdLoadMs: cold,
          firstRowsWarmReloadMs: warm,
          firstRowsTabSwitchMs: tab,
          expandTurnMs,
          fitSessionMs,
          zoomToTurnMs: zoomTurnMs,
          scrollSidePane: { ...side, fps: r(side.fps) },
          scrollFullScreen: { ...full, fps: r(full.fps) },
          scrollFullScreenWhileLive: { ...live, fps: r(live.fps) },
          rowsInDom,
        },
        null,
        2,
      ),
    );
    await context.close();
  } finally {
    await browser.close();
    await server.dispose();
  }
}

await main();
