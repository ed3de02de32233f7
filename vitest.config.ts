import { defineConfig } from 'vitest/config';

/**
 * Two projects: unit tests need nothing running; integration tests share one DynamoDB Local and one
 * SQS server started by test/global-setup.ts (each file provisions its own table and queue prefix).
 * The integration project's setup only runs when integration files are selected.
 */
export default defineConfig({
  test: {
    testTimeout: 20_000,
    // the handlers' structured logs are for CloudWatch, not for test output
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/integration/**'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
        },
      },
    ],
  },
});
