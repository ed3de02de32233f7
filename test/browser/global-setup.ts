/**
 * One local stack for every browser test file, with the workspace built once and served as
 * `npm start` serves it (own DynamoDB Local and SQS; the publishers in process).
 */
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../local/start';

declare module 'vitest' {
  export interface ProvidedContext {
    workspaceUrl: string;
    apiUrl: string;
    simulatorUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // the handlers' logs and metric records are CloudWatch's, not the test output's
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const stack = await startLocalStack({
    port: 0,
    simulatorPort: 0,
    workspacePort: 0,
    tableName: 'herold-browser',
    queuePrefix: 'herold-browser',
    log: () => undefined,
  });
  project.provide('workspaceUrl', stack.workspaceUrl ?? '');
  project.provide('apiUrl', stack.apiUrl);
  project.provide('simulatorUrl', stack.simulatorUrl);
  return () => stack.stop();
}
