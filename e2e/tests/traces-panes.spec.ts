// The cache and timeline panes in real Chromium against the real sync server: DeepSeek-style accounting
// with a stable prefix shows rising hits, a changed system prompt is named as the break, a provider without
// cache data says "not reported"; forking from a turn makes a new session with that turn's messages.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SPACE_DOC } from '@boocode/shared/doc/names';
import { emptyUsageTotals, type Snapshot } from '@boocode/shared/doc/session-schema';
import { setSetting } from '@boocode/shared/doc/space';
import { OtlpExportTraceServiceRequest } from '@boocode/shared/otlp/otlp-trace-schema';
import type { Page } from '@playwright/test';
import { segment, writeSnapshots, writeSpans } from '../bench/traces-seed.ts';
import { expect, openApp, sessionRow, test } from '../harness/fixtures.ts';
import { editServerDoc, seedSession } from '../harness/server-docs.ts';

async function openPane(page: Page, url: string, sessionId: string, pane: string) {
  await page.goto(`${url}/s/${sessionId}?pane=${pane}`);
  await expect(page.getByTestId('session-sync-status')).toHaveAttribute('data-status', 'synced', { timeout: 10_000 });
}

const SYSTEM = (time: string) => `You are BooCode, a coding agent.\nWorkspace: /repo\nToday is 2026-11-25 ${time}`;

test('cache pane: a stable prefix gives rising hits; a changed system prompt is named as the break', async ({
  page,
  syncServer,
}) => {
  await openApp(page, syncServer);
  const id = await seedSession(syncServer, 'Cache shape', [{ role: 'user', text: 'Find the bug' }]);
  const T = Date.now() - 60_000;
  const tools = segment('tools', 400, 't1', 'read_file a1\nrun_command b1');
  const call = (
    n: number,
    system: string,
    history: string,
    input: string,
    prompt: number,
    hit: number | undefined,
  ) => ({
    id: `spn_m${n}`,
    kind: 'model' as const,
    name: 'deepseek-chat',
    model: 'deepseek-chat',
    turn: n - 1,
    startedAt: T + n * 1000,
    endedAt: T + n * 1000 + 800,
    status: 'ok' as const,
    usage: {
      reported: true,
      prompt,
      completion: 50,
      reasoning: 0,
      ...(hit !== undefined ? { cacheHit: hit, cacheMiss: prompt - hit } : {}),
    },
    segments: [
      segment('system', 300, `s-${system}`, SYSTEM(system)),
      tools,
      segment('history', prompt - 800, `h-${n}`, history),
      segment('input', 100, `i-${n}`, input),
    ],
  });
  await writeSpans(syncServer, id, [
    call(1, '10:00', '', 'user Find the bug', 1000, 0),
    call(2, '10:00', 'user Find the bug', 'assistant Looking', 1200, 896),
    call(3, '10:00', 'user Find the bug\nassistant Looking', 'user Now fix it', 1500, 1280),
    call(4, '10:05', 'user Find the bug\nassistant Looking\nuser Now fix it', 'user And test it', 1600, 0),
    call(
      5,
      '10:05',
      'user Find the bug\nassistant Looking\nuser Now fix it\nuser And test it',
      'user ok',
      1700,
      undefined,
    ),
  ]);

  await openPane(page, syncServer.url, id, 'cache');
  const rows = page.getByTestId('cache-row');
  await expect(rows).toHaveCount(5);
  const rates = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-hit-rate')));
  expect(rates.slice(0, 3).map(Number)).toEqual([0, 0.747, 0.853]);
  await expect(rows.nth(1).getByTestId('cache-rate')).toHaveText('75% hit');
  await expect(rows.nth(2).getByTestId('cache-rate')).toHaveText('85% hit');
  // The cached prefix overlay covers the hit share of the call's bar.
  const bar = await rows.nth(2).getByTestId('cache-bar').boundingBox();
  const prefix = await rows.nth(2).getByTestId('cache-prefix').boundingBox();
  expect(prefix!.width / bar!.width).toBeCloseTo(1280 / 1500, 1);

  // The drop at call 4 names the system prompt's timestamp at line 3.
  await expect(page.getByTestId('cache-break')).toHaveCount(1);
  await expect(rows.nth(3).getByTestId('cache-break')).toContainText('system prompt changed at line 3: a timestamp');

  // No cache data from the provider: "not reported", never 0%.
  await expect(rows.nth(4)).toHaveAttribute('data-report', 'no-cache-data');
  await expect(rows.nth(4).getByTestId('cache-rate')).toHaveText('not reported');
  // Cumulative: (0 + 896 + 1280 + 0) / (1000 + 1200 + 1500 + 1600) = 41%.
  await expect(page.getByTestId('cache-summary')).toContainText('41%');
  await expect(page.getByTestId('cache-summary')).toContainText('saved $');

  // From a cache row to its model call in the waterfall.
  await rows.nth(3).getByTestId('cache-to-trace').click();
  await expect(page.locator('[data-span-id="spn_m4"]')).toHaveAttribute('aria-selected', 'true');
});

test('timeline: turns from snapshots, a click scrolls the chat, fork from a turn keeps the original', async ({
  page,
  syncServer,
}) => {
  await openApp(page, syncServer);
  const id = await seedSession(syncServer, 'Three turns', [
    { role: 'user', text: 'First question' },
    { role: 'assistant', text: 'First answer' },
    { role: 'user', text: 'Second question' },
    { role: 'assistant', text: 'Second answer' },
    { role: 'user', text: 'Third question' },
    { role: 'assistant', text: 'Third answer' },
  ]);
  const T = Date.now() - 60_000;
  const snap = (turn: number, tools: string[], tokens: number): Snapshot => ({
    turn,
    at: T + turn * 10_000 + 4000,
    startedAt: T + turn * 10_000,
    messageCount: turn * 2,
    usage: { ...emptyUsageTotals(), prompt: tokens, completion: tokens / 10 },
    pending: [],
    outcome: turn === 3 ? 'interrupted' : 'ok',
    tools,
  });
  await writeSnapshots(syncServer, id, [
    snap(1, ['read_file'], 1000),
    snap(2, ['grep', 'run_command'], 3000),
    snap(3, [], 5000),
  ]);

  await openPane(page, syncServer.url, id, 'timeline');
  const turns = page.getByTestId('timeline-turn');
  await expect(turns).toHaveCount(3);
  await expect(turns.nth(1)).toContainText('Turn 2');
  await expect(turns.nth(1)).toContainText('4.00 s');
  await expect(turns.nth(1)).toContainText('2.2k tokens');
  await expect(turns.nth(1)).toContainText('run_command');
  await expect(turns.nth(2)).toContainText('interrupted');

  // A click scrolls the chat to the turn's first message.
  await turns
    .nth(2)
    .getByRole('button', { name: /Turn 3/ })
    .click();
  await expect(page.getByTestId('message').nth(4)).toHaveClass(/jump-target/);

  // Fork from turn 2: the new session has its first four messages and a notice; the original all six.
  await turns.nth(1).getByTestId('fork-from-here').click();
  await expect(page).not.toHaveURL(new RegExp(`/s/${id}`));
  await expect(page.getByTestId('session-title')).toHaveText('Three turns (fork at turn 2)');
  const forked = page.getByTestId('message');
  await expect(forked).toHaveCount(5);
  await expect(forked.nth(3)).toContainText('Second answer');
  await expect(forked.nth(4)).toContainText('Forked from “Three turns” at turn 2');
  await expect(page.getByTestId('timeline-turn')).toHaveCount(2);

  await openPane(page, syncServer.url, id, 'timeline');
  await expect(page.getByTestId('message')).toHaveCount(7);
  await expect(page.getByTestId('message').nth(5)).toContainText('Third answer');
  await expect(page.getByTestId('message').nth(6)).toContainText(
    'Forked at turn 2 into “Three turns (fork at turn 2)”',
  );
  await page.goto(syncServer.url);
  await expect(sessionRow(page, 'Three turns (fork at turn 2)')).toBeVisible();
});

test('OTLP: export downloads one OTLP/JSON trace tree with the child session; send posts it to the endpoint from the synced settings', async ({
  page,
  syncServer,
}) => {
  const received: unknown[] = [];
  const collector = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-headers', 'content-type');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ path: req.url, body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const port = (collector.address() as AddressInfo).port;
  try {
    await openApp(page, syncServer);
    const id = await seedSession(syncServer, 'Export me', [{ role: 'user', text: 'hi' }]);
    const childId = await seedSession(syncServer, 'Helper', [{ role: 'user', text: 'help' }]);
    const T = Date.now() - 5000;
    await writeSpans(syncServer, childId, [
      {
        id: 'spn_c',
        kind: 'model',
        name: 'chat',
        model: 'deepseek-chat',
        startedAt: T + 1200,
        endedAt: T + 1800,
        status: 'ok',
      },
    ]);
    await writeSpans(syncServer, id, [
      {
        id: 'spn_m',
        kind: 'model',
        name: 'deepseek-chat',
        model: 'deepseek-chat',
        startedAt: T,
        endedAt: T + 1000,
        status: 'ok',
        usage: { reported: true, prompt: 100, completion: 20, reasoning: 0, cacheHit: 64, cacheMiss: 36 },
      },
      {
        id: 'spn_t',
        parentId: 'spn_m',
        kind: 'tool',
        name: 'read_file',
        startedAt: T + 1100,
        endedAt: T + 1200,
        status: 'ok',
      },
      {
        id: 'spn_sub',
        parentId: 'spn_t',
        kind: 'subagent',
        name: 'helper',
        startedAt: T + 1150,
        endedAt: T + 1900,
        status: 'ok',
        childSessionId: childId,
      },
    ]);
    // The export reads the child from this device's docs: open it once so sync brings it here.
    await openPane(page, syncServer.url, childId, 'traces');
    await expect(page.getByTestId('span-row')).toHaveCount(1);
    await openPane(page, syncServer.url, id, 'traces');
    await expect(page.getByTestId('span-row')).toHaveCount(3);
    await expect(page.getByTestId('otlp-send')).toHaveCount(0);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('otlp-export').click()]);
    expect(download.suggestedFilename()).toBe(`boocode-${id}.otlp.json`);
    const file = JSON.parse(await readFile((await download.path())!, 'utf8'));
    const parsed = OtlpExportTraceServiceRequest.parse(file);
    // The lead (session span, turn span, 3 spans) and the child session it started (session, turn, 1 span).
    const spans = parsed.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((sc) => sc.spans));
    expect(spans).toHaveLength(8);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const attrOf = (s: (typeof spans)[number], key: string) =>
      s.attributes.find((a) => a.key === key)?.value as { stringValue?: string } | undefined;
    const find = (key: string, value: string) => spans.find((s) => attrOf(s, key)?.stringValue === value)!;
    const sessionSpan = (sid: string) =>
      spans.find(
        (s) =>
          attrOf(s, 'boocode.span.kind')?.stringValue === 'session' && attrOf(s, 'session.id')?.stringValue === sid,
      )!;
    const turnSpan = spans.find((s) => s.name === 'turn 1' && attrOf(s, 'session.id')?.stringValue === id)!;
    expect(spans.filter((s) => !s.parentSpanId)).toEqual([sessionSpan(id)]);
    expect(turnSpan.parentSpanId).toBe(sessionSpan(id).spanId);
    const model = find('boocode.span.id', 'spn_m');
    expect(model.parentSpanId).toBe(turnSpan.spanId);
    expect(find('boocode.span.id', 'spn_t').parentSpanId).toBe(model.spanId);
    expect(sessionSpan(childId).parentSpanId).toBe(find('boocode.span.id', 'spn_sub').spanId);
    expect(find('boocode.span.id', 'spn_c').parentSpanId).not.toBeUndefined();
    expect(BigInt(model.endTimeUnixNano) - BigInt(model.startTimeUnixNano)).toBe(1_000_000_000n);
    expect(model.attributes?.map((a) => a.key)).toContain('gen_ai.usage.input_tokens');

    await editServerDoc(syncServer, SPACE_DOC, (doc) => setSetting(doc, 'otlpEndpoint', `http://127.0.0.1:${port}`));
    await page.getByTestId('otlp-send').click();
    await expect(page.getByTestId('otlp-send')).toHaveText('Sent ✓');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: '/v1/traces', body: { resourceSpans: [{}, {}] } });
  } finally {
    await new Promise((r) => collector.close(r));
  }
});
