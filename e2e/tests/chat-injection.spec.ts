// Model output is untrusted: a prompt-injection fixture answers with an <img onerror>, a <script> and a
// javascript: link. They must render as text, and nothing in them may run.

import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { expect, test } from '../harness/fixtures.ts';
import { assistantMessages, openNewSession, sendPrompt, startChatModel, useScriptedModel } from '../harness/model.ts';

let model: ScriptedModel;
test.beforeAll(async () => {
  model = await startChatModel();
});
test.afterAll(async () => {
  await model.close();
});

test('HTML and script in model output render as text and never run', async ({ page, syncServer }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await useScriptedModel(page, syncServer.url, model);
  await openNewSession(page, syncServer.url, 'chat', 'Injection');
  await sendPrompt(page, 'show me the injection fixture');

  const answer = assistantMessages(page).last().getByTestId('message-text');
  await expect(answer).toContainText('It must render as text.');
  await expect(answer).toContainText(`<img src=x onerror="alert('pwned')">`);
  await expect(answer).toContainText('<script>window.__pwned = true</script>');
  await expect(answer.locator('img, script, [onerror]')).toHaveCount(0);
  await expect(answer.locator('a[href^="javascript:"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
});
