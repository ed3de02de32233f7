/**
 * One local stack for every browser test file, with the workspace built once and served as
 * `npm start` serves it (own DynamoDB Local and SQS; the publishers in process), started in a
 * child process (stack-process.ts) so its environment stays out of the other test projects.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    workspaceUrl: string;
    apiUrl: string;
    simulatorUrl: string;
  }
}

interface StackUrls {
  workspaceUrl: string;
  apiUrl: string;
  simulatorUrl: string;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const child = fork(fileURLToPath(new URL('./stack-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const urls = await new Promise<StackUrls>((resolve, reject) => {
    child.once('message', (message) => resolve(message as StackUrls));
    child.once('exit', (code) =>
      reject(new Error(`the browser tests' local stack exited (${code}) before it was ready`)),
    );
  });
  project.provide('workspaceUrl', urls.workspaceUrl);
  project.provide('apiUrl', urls.apiUrl);
  project.provide('simulatorUrl', urls.simulatorUrl);
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  };
}
