// Screenshots of the trace, cache and timeline panes with a realistic session, for people to look at (not
// compared automatically). Written to $TRACES_SHOTS or the system temp folder.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyUsageTotals } from '@boocode/shared/doc/session-schema';
import { segment, writeSnapshots, writeSpans } from '../bench/traces-seed.ts';
import { expect, openApp, test } from '../harness/fixtures.ts';
import { seedSession } from '../harness/server-docs.ts';

const OUT = process.env.TRACES_SHOTS ?? join(tmpdir(), 'boocode-traces-shots');

test('screenshots: trace, cache and timeline panes', async ({ page, syncServer }) => {
  mkdirSync(OUT, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 760 });
  await openApp(page, syncServer);
  const id = await seedSession(syncServer, 'Fix the flaky offline reload test', [
    { role: 'user', text: 'The offline reload test fails about one run in ten. Can you find out why?' },
    { role: 'assistant', text: 'Let me look at the test and the service worker registration.' },
    { role: 'user', text: 'Also run it a few times.' },
    { role: 'assistant', text: 'Running the spec in a loop now.' },
  ]);
  const T = Date.now() - 40_000;
  const sys = (t: string) => `You are BooCode.\nWorkspace: /repo\nToday is 2026-11-25 ${t}`;
  const model = (
    n: number,
    start: number,
    dur: number,
    prompt: number,
    hit: number,
    time = '10:00',
    extra: Record<string, unknown> = {},
  ) => ({
    id: `spn_m${n}`,
    kind: 'model' as const,
    name: 'deepseek-chat',
    model: 'deepseek-chat',
    turn: n < 3 ? 1 : 2,
    startedAt: T + start,
    endedAt: T + start + dur,
    status: 'ok' as const,
    usage: {
      reported: true,
      prompt,
      completion: 180 + n * 20,
      reasoning: n * 40,
      cacheHit: hit,
      cacheMiss: prompt - hit,
    },
    segments: [
      segment('system', 420, `s${time}`, sys(time)),
      segment('tools', 900, 't1', 'read_file a\nrun_command b\ngrep c'),
      segment('history', Math.max(0, prompt - 1420), `h${n}`, ''),
      segment('input', 100, `i${n}`, ''),
    ],
    input: { messages: n, tools: 3 },
    output: { text: 'I will read the spec first.', toolCalls: 1 },
    ...extra,
  });
  await writeSpans(syncServer, id, [
    model(1, 0, 2400, 1800, 0),
    {
      id: 'spn_t1',
      kind: 'tool',
      name: 'read_file',
      startedAt: T + 2500,
      endedAt: T + 2700,
      status: 'ok',
      input: { path: 'e2e/tests/sessions-offline.spec.ts' },
      output: `// offline reload\n${'import x from "y";\n'.repeat(40)}`,
    },
    model(2, 2800, 1900, 2600, 1792),
    {
      id: 'spn_sub',
      kind: 'subagent',
      name: 'explore: service worker',
      startedAt: T + 4800,
      endedAt: T + 12_000,
      status: 'ok',
    },
    { ...model(10, 4900, 2100, 3000, 2560), id: 'spn_sm1', parentId: 'spn_sub' },
    {
      id: 'spn_st1',
      parentId: 'spn_sub',
      kind: 'tool',
      name: 'grep',
      startedAt: T + 7100,
      endedAt: T + 7400,
      status: 'error',
      error: { code: 'EXIT_1', message: 'grep: no match for "skipWaiting"' },
      input: { pattern: 'skipWaiting', path: 'client/src' },
    },
    { ...model(11, 7500, 2800, 3400, 2944), id: 'spn_sm2', parentId: 'spn_sub' },
    model(3, 12_100, 2600, 4200, 0, '10:04'),
    {
      id: 'spn_t2',
      kind: 'tool',
      name: 'run_command',
      startedAt: T + 14_800,
      endedAt: T + 24_800,
      status: 'interrupted',
      input: { cmd: 'npx playwright test sessions-offline --repeat-each 10' },
    },
    model(4, 25_000, 3000, 4800, 4160, '10:04'),
    {
      id: 'spn_t3',
      kind: 'tool',
      name: 'run_command',
      turn: 2,
      startedAt: Date.now() - 6000,
      status: 'open',
      input: { cmd: 'npx playwright test sessions-offline --repeat-each 10' },
    },
  ]);
  await writeSnapshots(syncServer, id, [
    {
      turn: 1,
      at: T + 12_050,
      startedAt: T,
      messageCount: 2,
      usage: { ...emptyUsageTotals(), prompt: 10_800, completion: 900, cost: 0.0021 },
      pending: [],
      outcome: 'ok',
      tools: ['read_file', 'grep'],
    },
    {
      turn: 2,
      at: T + 28_100,
      startedAt: T + 12_100,
      messageCount: 4,
      usage: { ...emptyUsageTotals(), prompt: 19_800, completion: 1500, cost: 0.0039 },
      pending: [],
      outcome: 'interrupted',
      tools: ['run_command'],
    },
  ]);

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${syncServer.url}/s/${id}?pane=traces`);
    await expect(page.getByTestId('span-row')).toHaveCount(11);
    await page.locator('[data-span-id="spn_st1"] .span-line').click();
    await page.screenshot({ path: join(OUT, `trace-pane-${scheme}.png`) });
    await page.getByTestId('trace-fullscreen').click();
    await page.locator('[data-span-id="spn_st1"] .span-line').click();
    await page.screenshot({ path: join(OUT, `trace-fullscreen-rows-${scheme}.png`) });
    await page.locator('[data-span-id="spn_t1"] .span-line').click();
    await page.screenshot({ path: join(OUT, `trace-fullscreen-${scheme}.png`) });
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: 'Cache' }).click();
    await expect(page.getByTestId('cache-row')).toHaveCount(6);
    await page.screenshot({ path: join(OUT, `cache-pane-${scheme}.png`) });
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await expect(page.getByTestId('timeline-turn')).toHaveCount(2);
    await page.screenshot({ path: join(OUT, `timeline-pane-${scheme}.png`) });
  }
});
