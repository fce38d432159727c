// Project workflows come through the paired runner (`GET /workflows`): listed next to the built-ins
// with their description, marked "project", and runnable like any other.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect } from '@playwright/test';
import { test } from '../harness/fixtures.ts';
import { openNewSession, pairRunner, startTestRunner, type TestRunner, useScriptedModel } from '../harness/model.ts';

const HELLO = `export const meta = {
  name: 'project-hello',
  description: 'Says hello through one agent.',
  whenToUse: 'To check that project workflows load.',
};
const answer = await agent('Say hello to the project', { label: 'greeter' });
return { answer };
`;

let model: ScriptedModel;
let runner: TestRunner | undefined;
test.beforeAll(async () => {
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'workflows') });
});
test.afterAll(async () => {
  await model.close();
});
test.afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

test('a project workflow from the runner is listed with its meta and runs', async ({ page, syncServer }) => {
  test.setTimeout(90_000);
  runner = await startTestRunner(syncServer.url);
  await mkdir(join(runner.workspace, '.boocode/workflows'), { recursive: true });
  await writeFile(join(runner.workspace, '.boocode/workflows/hello.js'), HELLO);
  await pairRunner(page, syncServer.url, runner);
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Project workflow');
  await page.getByRole('tab', { name: 'Workflows' }).click();

  const pick = page.locator('[data-testid="workflow-pick"][data-name="hello"]');
  await expect(pick).toContainText('project');
  await expect(pick).toContainText('Says hello through one agent.');
  await expect(pick).toContainText('When: To check that project workflows load.');
  await expect(page.locator('[data-testid="workflow-pick"][data-name="multi-review"]')).toContainText('built-in');

  await pick.click();
  await page.getByTestId('workflow-run').click();
  const card = page.getByTestId('workflow-run-card').first();
  await expect(card).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(card.getByTestId('workflow-result')).toContainText('Hello, project.');
});

const WRITER = `export const meta = { name: 'project-writer', description: 'One agent that writes a note.' };
const answer = await agent('please write a note', { label: 'writer' });
return { answer };
`;

test('a workflow started from a coder session: its agent has the runner tools, and its write waits for approval in its own session', async ({
  page,
  syncServer,
}) => {
  test.setTimeout(90_000);
  const writerModel = await startScriptedModel({
    scenarios: loadScenarioDir(SCENARIOS_DIR).filter((s) => s.name === 'chat-e2e'),
  });
  try {
    runner = await startTestRunner(syncServer.url);
    await mkdir(join(runner.workspace, '.boocode/workflows'), { recursive: true });
    await writeFile(join(runner.workspace, '.boocode/workflows/writer.js'), WRITER);
    await pairRunner(page, syncServer.url, runner);
    await useScriptedModel(page, syncServer.url, writerModel);
    await openNewSession(page, syncServer.url, 'coder', 'Coder workflow');
    await page.getByRole('tab', { name: 'Workflows' }).click();
    await page.locator('[data-testid="workflow-pick"][data-name="writer"]').click();
    await page.getByTestId('workflow-run').click();

    // The agent's session is a coder session, and its write waits there for the user.
    await page.getByRole('tab', { name: 'Agents' }).click();
    const row = page.getByTestId('agents-mine').getByTestId('agent-row');
    await expect(row).toHaveCount(1, { timeout: 30_000 });
    await row.getByTestId('agent-open').click();
    await expect(page.getByTestId('chat')).toHaveAttribute('data-kind', 'coder');
    const card = page.getByTestId('tool-card').filter({ hasText: 'write_file' });
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect(card.getByTestId('tool-status')).toHaveText('done');
    expect(await readFile(join(runner.workspace, 'note.txt'), 'utf8')).toBe('written by the agent\n');

    await page.getByTestId('parent-link').click();
    await page.getByRole('tab', { name: 'Workflows' }).click();
    const run = page.getByTestId('workflow-run-card').first();
    await expect(run).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
    await expect(run.getByTestId('workflow-result')).toContainText('The write tool said');
  } finally {
    await writerModel.close();
  }
});

const OUTER = `export const meta = { name: 'outer', description: 'Runs a project workflow and a missing one.' };
const inner = await workflow('inner');
let missing = '';
try { await workflow('nowhere'); } catch (e) { missing = e.message; }
return { inner, missing };
`;
const INNER = `export const meta = { name: 'inner', description: 'Says hello.' };
return await agent('Say hello to the project', { label: 'greeter' });
`;

test('a project workflow calls another through the runner; a missing one fails listing where it looked', async ({
  page,
  syncServer,
}) => {
  test.setTimeout(90_000);
  runner = await startTestRunner(syncServer.url);
  await mkdir(join(runner.workspace, '.boocode/workflows'), { recursive: true });
  await mkdir(join(runner.workspace, '.claude/workflows'), { recursive: true });
  await writeFile(join(runner.workspace, '.boocode/workflows/outer.js'), OUTER);
  await writeFile(join(runner.workspace, '.claude/workflows/inner.js'), INNER);
  await pairRunner(page, syncServer.url, runner);
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Nested workflow');
  await page.getByRole('tab', { name: 'Workflows' }).click();
  await page.locator('[data-testid="workflow-pick"][data-name="outer"]').click();
  await page.getByTestId('workflow-run').click();
  const card = page.getByTestId('workflow-run-card').first();
  await expect(card).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  const result = card.getByTestId('workflow-result');
  await expect(result).toContainText('Hello, project.');
  await expect(result).toContainText(
    'workflow(\\"nowhere\\"): no workflow with that name; looked in .boocode/workflows, .claude/workflows, ~/.boocode/workflows, the built-in catalog',
  );
});

const ECHO_ARGS = `export const meta = {
  name: 'greet',
  description: 'Greets whom args name.',
  args: { description: 'who: whom to greet', example: { who: 'the project' } },
};
const answer = await agent('Say hello to the project', { label: 'greeter' });
return { who: args.who, answer };
`;

test('the args form comes from the meta, keeps the args for a re-run, says what it reuses, and the re-run takes the agent from the cache', async ({
  page,
  syncServer,
}) => {
  test.setTimeout(90_000);
  model.reset();
  runner = await startTestRunner(syncServer.url);
  await mkdir(join(runner.workspace, '.boocode/workflows'), { recursive: true });
  await writeFile(join(runner.workspace, '.boocode/workflows/greet.js'), ECHO_ARGS);
  await pairRunner(page, syncServer.url, runner);
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Args kept');
  await page.getByRole('tab', { name: 'Workflows' }).click();
  await page.locator('[data-testid="workflow-pick"][data-name="greet"]').click();
  const args = page.getByTestId('workflow-args');
  await expect(args).toHaveAttribute('placeholder', '{\n  "who": "the project"\n}');
  await expect(page.getByTestId('workflow-args-help')).toHaveText('who: whom to greet');
  await expect(page.getByTestId('workflow-reuse-note')).toContainText('same spec hash');
  await args.fill('{"who":"Ada"}');
  await page.getByTestId('workflow-run').click();
  const first = page.getByTestId('workflow-run-card').first();
  await expect(first).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(first.getByTestId('workflow-result')).toContainText('Ada');
  const asked = model.chatCalls().length;

  // Again: the form opens with the same args, and the agent comes from the cache.
  await page.locator('.wf-catalog > summary').click();
  await page.locator('[data-testid="workflow-pick"][data-name="greet"]').click();
  await expect(page.getByTestId('workflow-args')).toHaveValue('{"who":"Ada"}');
  await page.getByTestId('workflow-run').click();
  const second = page.getByTestId('workflow-run-card').first();
  await expect(page.getByTestId('workflow-run-card')).toHaveCount(2);
  await expect(second).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(second.locator('[data-testid="workflow-agent"][data-label="greeter"] .wf-agent-status')).toHaveText(
    'cached',
  );
  await second.getByTestId('workflow-agent-details').locator('summary').click();
  await expect(second.getByTestId('workflow-agent-prompt')).toHaveText('Say hello to the project');
  expect(model.chatCalls().length).toBe(asked);
});
