import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/**/*.test.ts',
      'sync-server/**/*.test.ts',
      'workflows/**/*.test.ts',
      'client/**/*.test.ts',
      'testkit/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and databases; two cores cannot run many at once.
    maxWorkers: 2,
  },
});
