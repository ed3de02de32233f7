import path from 'node:path';
import { defineConfig } from 'vitest/config';
import BrowserSequencer from './test/browser/sequencer';

/**
 * Three projects: unit tests need nothing running; integration tests share one DynamoDB Local and one
 * SQS server started by test/global-setup.ts (each file provisions its own table and queue prefix);
 * browser tests drive Chromium against one local stack serving the workspace
 * (test/browser/global-setup.ts). A project's setup only runs when its files are selected.
 */
export default defineConfig({
  // the workspace's own import paths (web/vite.config.ts), for unit tests of its pure modules
  resolve: {
    alias: {
      '@shared': path.resolve(import.meta.dirname, 'shared'),
      '@': path.resolve(import.meta.dirname, 'web', 'src'),
    },
  },
  test: {
    // the sequencer is a setting of the whole run, not of a project
    sequence: { sequencer: BrowserSequencer },
    testTimeout: 20_000,
    // the handlers' structured logs are for CloudWatch, not for test output
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/integration/**', 'test/browser/**'] },
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
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // one local stack and one workspace build for all browser files, which take turns with it
          globalSetup: ['test/browser/global-setup.ts'],
          fileParallelism: false,
          // after the unit and integration tests: timings in Chromium are taken on a machine not busy with them
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
        },
      },
    ],
  },
});
