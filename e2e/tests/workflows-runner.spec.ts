// Project workflows come through the paired runner (`GET /workflows`): listed next to the built-ins
// with their description, marked "project", and runnable like any other.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';
import { test } from '../harness/fixtures.ts';
import { openNewSession, pairRunner, startTestRunner, type TestRunner, useScriptedModel } from '../harness/model.ts';
import { loadScenarioDir } from '../scripted-model/scenario.ts';
import { type ScriptedModel, startScriptedModel } from '../scripted-model/server.ts';

const SCENARIOS = fileURLToPath(new URL('../scripted-model/scenarios', import.meta.url));
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
  model = await startScriptedModel({ scenarios: loadScenarioDir(SCENARIOS).filter((s) => s.name === 'workflows') });
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
