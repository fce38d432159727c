// Fixtures for chat tests: the scripted model (demo + chat-e2e scenarios) and real local runners, each made
// for one test and closed after it, so a test never sees another's requests or workspace files.
import type { ScriptedModel } from '@boocode/testkit/scripted-model/server';
import { test as base } from './fixtures.ts';
import { pairRunner, startChatModel, startTestRunner, type TestRunner, useScriptedModel } from './model.ts';

export { expect } from './fixtures.ts';

export interface ChatFixtures {
  /** The scripted model server, started for this test. */
  model: ScriptedModel;
  /** Starts a runner (as startTestRunner) that is closed when the test ends, passed or not. */
  startRunner: typeof startTestRunner;
  /**
   * The usual coder setup in the test's page: a runner started (files and options as startTestRunner), the
   * scripted model chosen in Settings and the runner paired.
   */
  pairedRunner: (files?: Record<string, string>, extra?: Parameters<typeof startTestRunner>[2]) => Promise<TestRunner>;
}

export const test = base.extend<ChatFixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
  model: async ({}, use) => {
    const model = await startChatModel();
    await use(model);
    await model.close();
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
  startRunner: async ({}, use) => {
    const started: TestRunner[] = [];
    await use(async (...args) => {
      const runner = await startTestRunner(...args);
      started.push(runner);
      return runner;
    });
    for (const runner of started) await runner.close();
  },
  pairedRunner: async ({ page, syncServer, model, startRunner }, use) => {
    await use(async (files, extra) => {
      const runner = await startRunner(syncServer.url, files, extra);
      await useScriptedModel(page, syncServer.url, model);
      await pairRunner(page, syncServer.url, runner);
      return runner;
    });
  },
});
