// Chat e2e helpers: the scripted model in-process (demo + chat-e2e scenarios), a real local runner on a
// temp workspace, and the user's steps in the UI (pick the scripted model, pair the runner, make a
// session of a kind, send a prompt).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, type Page } from '@playwright/test';
import { createRunner, type RunnerOptions } from '../../sync-server/src/runner/create-runner.ts';
import { createSessionInUi } from './fixtures.ts';

export function startChatModel(): Promise<ScriptedModel> {
  const scenarios = loadScenarioDir(SCENARIOS_DIR).filter((s) =>
    ['demo', 'chat-e2e', 'chat-output-e2e'].includes(s.name),
  );
  return startScriptedModel({ scenarios });
}

export interface TestRunner {
  url: string;
  token: string;
  workspace: string;
  close(): Promise<void>;
}

/** A real runner on 127.0.0.1 with a temp workspace holding `files`, allowing the app's origin. */
export async function startTestRunner(
  appOrigin: string,
  files: Record<string, string> = {},
  extra: Partial<RunnerOptions> = {},
): Promise<TestRunner> {
  const workspace = await mkdtemp(join(tmpdir(), 'boocode-ws-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'boocode-runner-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(workspace, name), text);
  const token = `runner-${Math.random().toString(36).slice(2)}`;
  const runner = await createRunner({
    workspace,
    dataDir,
    port: 0,
    token,
    allowedOrigins: [appOrigin],
    rules: [],
    home: dataDir,
    env: { PATH: process.env.PATH },
    ...extra,
  });
  const { url } = await runner.listen();
  let closed: Promise<void> | undefined;
  return {
    url,
    token,
    workspace,
    // Once only: a test may close its runner itself (to see it gone) before the fixture closes it again.
    close() {
      closed ??= (async () => {
        await runner.close();
        await rm(workspace, { recursive: true, force: true });
        await rm(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

/** Settings → Model: the scripted provider at the test model's URL (or another preset, through the runner). */
export async function useScriptedModel(page: Page, appUrl: string, model: ScriptedModel, provider = 'scripted') {
  await page.goto(`${appUrl}/settings`);
  await page.getByTestId('model-provider').selectOption(provider);
  if (provider === 'scripted') await page.getByTestId('model-base-url').fill(model.baseUrl);
  await page.getByTestId('model-name').fill('scripted-deepseek');
  await page.getByTestId('model-save').click();
  await expect(page.getByText('Saved. The next turn uses it.')).toBeVisible();
}

/** Settings → Runner: pair this browser with the test runner. */
export async function pairRunner(page: Page, appUrl: string, runner: TestRunner): Promise<void> {
  await page.goto(`${appUrl}/settings`);
  await page.getByTestId('runner-url').fill(runner.url);
  await page.getByTestId('runner-token').fill(runner.token);
  await page.getByTestId('runner-save').click();
  await expect(page.getByText('Saved on this device only.')).toBeVisible();
}

/** Makes a session of `kind` from the list, names it, opens it; returns its id. */
export async function openNewSession(page: Page, appUrl: string, kind: 'chat' | 'coder', title: string) {
  await page.goto(`${appUrl}/`);
  const id = await createSessionInUi(page, title, kind);
  await page.goto(`${appUrl}/s/${id}`);
  await expect(page.getByTestId('chat')).toHaveAttribute('data-kind', kind);
  return id;
}

/** The open session offers the model the subagent tools (chat sessions have them off by default). */
export async function turnOnSubagents(page: Page): Promise<void> {
  const toggle = page.getByTestId('subagents-toggle');
  await toggle.check();
  await expect(toggle).toBeChecked();
}

/** Types a prompt and sends it with Enter, as a user would. */
export async function sendPrompt(page: Page, text: string): Promise<void> {
  // Enter sends nothing while a turn runs (the Send button is Stop then): a prompt typed right after the last
  // answer appeared would be left in the box under load. Wait for the turn to have ended.
  await expect(page.getByTestId('send')).toBeVisible({ timeout: 20_000 });
  const box = page.getByTestId('composer-input');
  await box.fill(text);
  await box.press('Enter');
}

/** The assistant's messages' rendered text. */
export function assistantMessages(page: Page) {
  return page.locator('[data-testid="message"][data-role="assistant"]');
}
