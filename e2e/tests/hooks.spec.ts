// Hooks as users set them up: a workspace `.boocode/hooks.json` beside a real agent host process. With two tabs
// open and the host alive, a turn's end is POSTed once (tabs never fire hooks), and Settings → Hooks lists the
// hook with its last result; a hooks file that does not parse is shown there with its line.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HostProcess, startHostProcess } from '@boocode/testkit/host-process';
import { loadScenarios } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect } from '@playwright/test';
import { openApp, test } from '../harness/fixtures.ts';
import { assistantMessages, openNewSession, sendPrompt, useScriptedModel } from '../harness/model.ts';

let model: ScriptedModel;
let host: HostProcess | undefined;
let far: Server | undefined;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarios('demo') });
});
test.afterAll(async () => {
  await model.close();
});
test.afterEach(async () => {
  await host?.dispose();
  host = undefined;
  far?.closeAllConnections();
  far?.close();
  far = undefined;
});

/** A hook's far end: the ids of the events POSTed to it. */
async function startHookTarget(): Promise<{ url: string; ids: string[] }> {
  const ids: string[] = [];
  far = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      ids.push((JSON.parse(text) as { id: string }).id);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => far?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(far.address() as AddressInfo).port}/hook`, ids };
}

test('a turn the host drives fires its hook once with two tabs open, and Settings shows the last result', async ({
  context,
  syncServer,
}) => {
  test.setTimeout(120_000);
  const target = await startHookTarget();
  host = await startHostProcess(syncServer.url, syncServer.token, {
    '.boocode/hooks.json': JSON.stringify({ hooks: [{ on: 'turn.done', post: target.url }] }),
  });
  const page = await context.newPage();
  await openApp(page, syncServer);
  await useScriptedModel(page, syncServer.url, model);
  const id = await openNewSession(page, syncServer.url, 'chat', 'Hooked');
  const second = await context.newPage();
  await second.goto(`${syncServer.url}/s/${id}`);
  await expect(page.getByTestId('host-badge')).toBeVisible({ timeout: 15_000 });
  await sendPrompt(page, 'hello hooks');
  await expect(assistantMessages(second).last()).toBeVisible({ timeout: 20_000 });

  // Settings (in the second tab) shows the hook's result once the host wrote it; by then it has fired.
  await second.goto(`${syncServer.url}/settings`);
  const section = second.getByTestId('hooks-settings');
  await expect(section).toContainText('.boocode/hooks.json');
  await expect(section).toContainText(`post: ${target.url}`);
  await expect(section).toContainText('last: ok, HTTP 204', { timeout: 20_000 });
  expect(target.ids).toEqual([expect.stringMatching(new RegExp(`^turn\\.done:${id}:1$`))]);
});

test('a hooks file that does not parse is shown in Settings with its line', async ({ page, syncServer }) => {
  test.setTimeout(90_000);
  host = await startHostProcess(syncServer.url, syncServer.token, {
    '.boocode/hooks.json': '{\n  "hooks": [\n    { "on": "turn.done", "post": "http://127.0.0.1:9/x", }\n  ]\n}\n',
  });
  expect(host.output()).toMatch(/hooks\.json line 3 column \d+: not valid JSON/);
  await openApp(page, syncServer);
  await page.goto(`${syncServer.url}/settings`);
  const section = page.getByTestId('hooks-settings');
  await expect(section.getByRole('alert')).toContainText('Not loaded: line 3', { timeout: 15_000 });
});
